//! Shared test support: local AWS emulators (moto, LocalStack) started and
//! stopped per test, a fault-injecting HTTP proxy, raw AWS query calls for
//! checking resources, and helpers that run deploys in-process.
//!
//! Emulator quirks live here, never in product code.

#![allow(dead_code)]

pub mod aws;
pub mod emulator;
pub mod fault_proxy;
pub mod http;
pub mod templates;
