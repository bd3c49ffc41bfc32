//! EC2 compute resource types: launch templates and instances.
