"""A highly available web service written with troposphere, for hagen's
import round-trip corpus.

Run it with the pinned troposphere (see requirements.txt); it prints the
template as JSON on standard output.
"""

from troposphere import (
    And,
    Base64,
    Cidr,
    Condition,
    Equals,
    Export,
    FindInMap,
    GetAtt,
    GetAZs,
    If,
    Join,
    Not,
    Output,
    Parameter,
    Ref,
    Select,
    Sub,
    Tags,
    Template,
)
from troposphere import autoscaling, cloudwatch, ec2, iam, rds, sns
from troposphere import elasticloadbalancingv2 as elb
from troposphere.policies import AutoScalingRollingUpdate, UpdatePolicy

NO_VALUE = Ref("AWS::NoValue")


def name_tags(suffix):
    return Tags(Name=Sub("${AWS::StackName}-" + suffix), Environment=Ref("Environment"))


t = Template()
t.set_version("2010-09-09")
t.set_description("hagen import corpus: highly available web service (troposphere)")

# ---------------------------------------------------------------- parameters
t.add_parameter(Parameter(
    "Environment",
    Type="String",
    Default="dev",
    AllowedValues=["dev", "prod"],
    Description="dev runs one NAT gateway and a single-AZ database; prod runs one NAT per AZ and Multi-AZ",
))
t.add_parameter(Parameter(
    "VpcCidr",
    Type="String",
    Default="10.60.0.0/16",
    AllowedPattern=r"^(\d{1,3})\.(\d{1,3})\.0\.0/16$",
    ConstraintDescription="a /16 block such as 10.60.0.0/16",
    Description="Address range of the VPC",
))
t.add_parameter(Parameter(
    "ImageId",
    Type="AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
    Default="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
    Description="AMI of the web servers, read from a public SSM parameter",
))
t.add_parameter(Parameter(
    "KeyName",
    Type="String",
    Default="",
    Description="Optional EC2 key pair for the web servers; empty for none",
))
t.add_parameter(Parameter(
    "CertificateArn",
    Type="String",
    Default="",
    AllowedPattern=r"^$|^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]+$",
    ConstraintDescription="empty, or the ARN of an ACM certificate",
    Description="ACM certificate for HTTPS; empty serves plain HTTP",
))
t.add_parameter(Parameter(
    "AlarmEmail",
    Type="String",
    Default="",
    AllowedPattern=r"^$|^[^@\s]+@[^@\s]+$",
    ConstraintDescription="empty, or an e-mail address",
    Description="Where alarms are sent; empty for no subscription",
))
t.add_parameter(Parameter(
    "MaxWebServers",
    Type="Number",
    Default=6,
    MinValue=2,
    MaxValue=20,
    Description="Upper bound of the Auto Scaling group",
))
t.add_parameter(Parameter(
    "DatabaseStorageGiB",
    Type="Number",
    Default=50,
    MinValue=20,
    MaxValue=1000,
    Description="Allocated storage of the database in GiB",
))
t.add_parameter(Parameter(
    "DatabaseUser",
    Type="String",
    Default="webadmin",
    MinLength=1,
    MaxLength=16,
    AllowedPattern=r"^[a-zA-Z][a-zA-Z0-9]*$",
    ConstraintDescription="a letter, then letters and digits, 16 at most",
    Description="Master user name of the database; RDS keeps its password in Secrets Manager",
))

t.set_metadata({
    "AWS::CloudFormation::Interface": {
        "ParameterGroups": [
            {"Label": {"default": "Network"}, "Parameters": ["Environment", "VpcCidr"]},
            {"Label": {"default": "Web tier"},
             "Parameters": ["ImageId", "KeyName", "CertificateArn", "MaxWebServers"]},
            {"Label": {"default": "Data tier"}, "Parameters": ["DatabaseUser", "DatabaseStorageGiB"]},
            {"Label": {"default": "Operations"}, "Parameters": ["AlarmEmail"]},
        ],
    },
})

# ------------------------------------------------------------------ mappings
t.add_mapping("EnvironmentSettings", {
    "dev": {
        "InstanceType": "t3.small",
        "DatabaseClass": "db.t4g.medium",
        "MinWebServers": "2",
        "BackupDays": "3",
    },
    "prod": {
        "InstanceType": "m6i.large",
        "DatabaseClass": "db.m6g.large",
        "MinWebServers": "3",
        "BackupDays": "14",
    },
})

# ---------------------------------------------------------------- conditions
t.add_condition("IsProduction", Equals(Ref("Environment"), "prod"))
t.add_condition("HasKeyName", Not(Equals(Ref("KeyName"), "")))
t.add_condition("HasCertificate", Not(Equals(Ref("CertificateArn"), "")))
t.add_condition("HasAlarmEmail", Not(Equals(Ref("AlarmEmail"), "")))
t.add_condition("ProductionWithEmail", And(Condition("IsProduction"), Condition("HasAlarmEmail")))


def setting(key):
    return FindInMap("EnvironmentSettings", Ref("Environment"), key)


# ------------------------------------------------------------------- network
vpc = t.add_resource(ec2.VPC(
    "Vpc",
    CidrBlock=Ref("VpcCidr"),
    EnableDnsSupport=True,
    EnableDnsHostnames=True,
    Tags=name_tags("vpc"),
))
igw = t.add_resource(ec2.InternetGateway("InternetGateway", Tags=name_tags("igw")))
attach = t.add_resource(ec2.VPCGatewayAttachment(
    "InternetGatewayAttachment", VpcId=Ref(vpc), InternetGatewayId=Ref(igw),
))

# Six /20 blocks carved out of the VPC range: public, app and data, per AZ.
blocks = Cidr(GetAtt(vpc, "CidrBlock"), 6, 12)

public_rt = t.add_resource(ec2.RouteTable("PublicRouteTable", VpcId=Ref(vpc), Tags=name_tags("public")))
t.add_resource(ec2.Route(
    "PublicDefaultRoute",
    DependsOn=attach.title,
    RouteTableId=Ref(public_rt),
    DestinationCidrBlock="0.0.0.0/0",
    GatewayId=Ref(igw),
))

public_subnets, app_subnets, data_subnets, nats = [], [], [], []
for az in (0, 1):
    n = az + 1
    pub = t.add_resource(ec2.Subnet(
        f"PublicSubnet{n}",
        VpcId=Ref(vpc),
        AvailabilityZone=Select(az, GetAZs("")),
        CidrBlock=Select(az, blocks),
        MapPublicIpOnLaunch=True,
        Tags=name_tags(f"public-{n}"),
    ))
    public_subnets.append(pub)
    t.add_resource(ec2.SubnetRouteTableAssociation(
        f"PublicSubnet{n}RouteTableAssociation", SubnetId=Ref(pub), RouteTableId=Ref(public_rt),
    ))

    # The second NAT gateway only exists in production; in dev both AZs
    # share the first one.
    cond = "IsProduction" if az == 1 else None
    eip = ec2.EIP(f"NatEip{n}", Domain="vpc", DependsOn=attach.title)
    nat = ec2.NatGateway(
        f"NatGateway{n}", AllocationId=GetAtt(eip, "AllocationId"), SubnetId=Ref(pub),
        Tags=name_tags(f"nat-{n}"),
    )
    if cond:
        eip.Condition = cond
        nat.Condition = cond
    t.add_resource(eip)
    nats.append(t.add_resource(nat))

for az in (0, 1):
    n = az + 1
    app = t.add_resource(ec2.Subnet(
        f"AppSubnet{n}",
        VpcId=Ref(vpc),
        AvailabilityZone=Select(az, GetAZs("")),
        CidrBlock=Select(2 + az, blocks),
        Tags=name_tags(f"app-{n}"),
    ))
    app_subnets.append(app)
    rt = t.add_resource(ec2.RouteTable(f"AppRouteTable{n}", VpcId=Ref(vpc), Tags=name_tags(f"app-{n}")))
    nat_id = Ref(nats[0]) if az == 0 else If("IsProduction", Ref(nats[1]), Ref(nats[0]))
    t.add_resource(ec2.Route(
        f"AppDefaultRoute{n}", RouteTableId=Ref(rt), DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat_id,
    ))
    t.add_resource(ec2.SubnetRouteTableAssociation(
        f"AppSubnet{n}RouteTableAssociation", SubnetId=Ref(app), RouteTableId=Ref(rt),
    ))

data_rt = t.add_resource(ec2.RouteTable("DataRouteTable", VpcId=Ref(vpc), Tags=name_tags("data")))
for az in (0, 1):
    n = az + 1
    data = t.add_resource(ec2.Subnet(
        f"DataSubnet{n}",
        VpcId=Ref(vpc),
        AvailabilityZone=Select(az, GetAZs("")),
        CidrBlock=Select(4 + az, blocks),
        Tags=name_tags(f"data-{n}"),
    ))
    data_subnets.append(data)
    t.add_resource(ec2.SubnetRouteTableAssociation(
        f"DataSubnet{n}RouteTableAssociation", SubnetId=Ref(data), RouteTableId=Ref(data_rt),
    ))

# ------------------------------------------------------------ security groups
alb_sg = t.add_resource(ec2.SecurityGroup(
    "LoadBalancerSecurityGroup",
    GroupDescription="HTTP and HTTPS from the internet to the load balancer",
    VpcId=Ref(vpc),
    SecurityGroupIngress=[
        ec2.SecurityGroupRule(IpProtocol="tcp", FromPort=80, ToPort=80, CidrIp="0.0.0.0/0",
                              Description="HTTP"),
        If("HasCertificate",
           ec2.SecurityGroupRule(IpProtocol="tcp", FromPort=443, ToPort=443, CidrIp="0.0.0.0/0",
                                 Description="HTTPS"),
           NO_VALUE),
    ],
    Tags=name_tags("alb"),
))
app_sg = t.add_resource(ec2.SecurityGroup(
    "AppSecurityGroup",
    GroupDescription="Web servers, reachable from the load balancer only",
    VpcId=Ref(vpc),
    SecurityGroupIngress=[
        ec2.SecurityGroupRule(IpProtocol="tcp", FromPort=8080, ToPort=8080,
                              SourceSecurityGroupId=Ref(alb_sg), Description="from the load balancer"),
    ],
    Tags=name_tags("app"),
))
db_sg = t.add_resource(ec2.SecurityGroup(
    "DatabaseSecurityGroup",
    GroupDescription="PostgreSQL, reachable from the web servers only",
    VpcId=Ref(vpc),
    SecurityGroupIngress=[
        ec2.SecurityGroupRule(IpProtocol="tcp", FromPort=5432, ToPort=5432,
                              SourceSecurityGroupId=Ref(app_sg), Description="from the web servers"),
    ],
    Tags=name_tags("db"),
))

# ------------------------------------------------------------------ database
db_subnets = t.add_resource(rds.DBSubnetGroup(
    "DatabaseSubnetGroup",
    DBSubnetGroupDescription="Data subnets of both AZs",
    SubnetIds=[Ref(s) for s in data_subnets],
))
db = t.add_resource(rds.DBInstance(
    "Database",
    DeletionPolicy="Snapshot",
    UpdateReplacePolicy="Snapshot",
    Engine="postgres",
    EngineVersion="17.6",
    DBInstanceClass=setting("DatabaseClass"),
    AllocatedStorage=Ref("DatabaseStorageGiB"),
    StorageType="gp3",
    StorageEncrypted=True,
    MultiAZ=If("IsProduction", True, False),
    DBName="web",
    MasterUsername=Ref("DatabaseUser"),
    ManageMasterUserPassword=True,
    DBSubnetGroupName=Ref(db_subnets),
    VPCSecurityGroups=[Ref(db_sg)],
    BackupRetentionPeriod=setting("BackupDays"),
    DeletionProtection=If("IsProduction", True, False),
    PubliclyAccessible=False,
    CopyTagsToSnapshot=True,
    Tags=name_tags("db"),
))

# ----------------------------------------------------------------- web tier
role = t.add_resource(iam.Role(
    "WebServerRole",
    AssumeRolePolicyDocument={
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }],
    },
    ManagedPolicyArns=[Sub("arn:${AWS::Partition}:iam::aws:policy/AmazonSSMManagedInstanceCore")],
    Policies=[iam.Policy(
        PolicyName="read-database-secret",
        PolicyDocument={
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": GetAtt(db, "MasterUserSecret.SecretArn"),
            }],
        },
    )],
))
profile = t.add_resource(iam.InstanceProfile("WebServerInstanceProfile", Roles=[Ref(role)]))

user_data = Base64(Sub(
    "\n".join([
        "#!/bin/bash",
        "set -euo pipefail",
        "dnf install -y nginx",
        "sed -i 's/listen       80;/listen       8080;/' /etc/nginx/nginx.conf",
        'echo "${AWS::StackName} in ${AWS::Region}, database ${DbHost}:${DbPort}" > /usr/share/nginx/html/index.html',
        "systemctl enable --now nginx",
        "",
    ]),
    DbHost=GetAtt(db, "Endpoint.Address"),
    DbPort=GetAtt(db, "Endpoint.Port"),
))

lt = t.add_resource(ec2.LaunchTemplate(
    "WebLaunchTemplate",
    LaunchTemplateData=ec2.LaunchTemplateData(
        ImageId=Ref("ImageId"),
        InstanceType=setting("InstanceType"),
        KeyName=If("HasKeyName", Ref("KeyName"), NO_VALUE),
        IamInstanceProfile=ec2.IamInstanceProfile(Arn=GetAtt(profile, "Arn")),
        SecurityGroupIds=[Ref(app_sg)],
        MetadataOptions=ec2.MetadataOptions(HttpTokens="required", HttpEndpoint="enabled"),
        BlockDeviceMappings=[ec2.LaunchTemplateBlockDeviceMapping(
            DeviceName="/dev/xvda",
            Ebs=ec2.EBSBlockDevice(VolumeSize=20, VolumeType="gp3", Encrypted=True),
        )],
        UserData=user_data,
        TagSpecifications=[ec2.TagSpecifications(ResourceType="instance", Tags=name_tags("web"))],
    ),
))

alb = t.add_resource(elb.LoadBalancer(
    "LoadBalancer",
    Scheme="internet-facing",
    Type="application",
    Subnets=[Ref(s) for s in public_subnets],
    SecurityGroups=[Ref(alb_sg)],
    LoadBalancerAttributes=[
        elb.LoadBalancerAttributes(Key="idle_timeout.timeout_seconds", Value="60"),
        elb.LoadBalancerAttributes(Key="routing.http.drop_invalid_header_fields.enabled", Value="true"),
    ],
    Tags=name_tags("alb"),
))
tg = t.add_resource(elb.TargetGroup(
    "WebTargetGroup",
    VpcId=Ref(vpc),
    Port=8080,
    Protocol="HTTP",
    TargetType="instance",
    HealthCheckPath="/",
    HealthCheckIntervalSeconds=15,
    HealthyThresholdCount=2,
    UnhealthyThresholdCount=3,
    Matcher=elb.Matcher(HttpCode="200"),
    TargetGroupAttributes=[elb.TargetGroupAttribute(Key="deregistration_delay.timeout_seconds", Value="30")],
))
forward = elb.Action(Type="forward", TargetGroupArn=Ref(tg))
redirect = elb.Action(Type="redirect", RedirectConfig=elb.RedirectConfig(
    Protocol="HTTPS", Port="443", StatusCode="HTTP_301",
))
t.add_resource(elb.Listener(
    "HttpListener",
    LoadBalancerArn=Ref(alb),
    Port=80,
    Protocol="HTTP",
    DefaultActions=[If("HasCertificate", redirect, forward)],
))
t.add_resource(elb.Listener(
    "HttpsListener",
    Condition="HasCertificate",
    LoadBalancerArn=Ref(alb),
    Port=443,
    Protocol="HTTPS",
    SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06",
    Certificates=[elb.Certificate(CertificateArn=Ref("CertificateArn"))],
    DefaultActions=[forward],
))

asg = t.add_resource(autoscaling.AutoScalingGroup(
    "WebServerGroup",
    LaunchTemplate=autoscaling.LaunchTemplateSpecification(
        LaunchTemplateId=Ref(lt), Version=GetAtt(lt, "LatestVersionNumber"),
    ),
    MinSize=setting("MinWebServers"),
    MaxSize=Ref("MaxWebServers"),
    VPCZoneIdentifier=[Ref(s) for s in app_subnets],
    TargetGroupARNs=[Ref(tg)],
    HealthCheckType="ELB",
    HealthCheckGracePeriod=300,
    Tags=[autoscaling.Tag("Role", "web", True)],
    UpdatePolicy=UpdatePolicy(AutoScalingRollingUpdate=AutoScalingRollingUpdate(
        MinInstancesInService=1, MaxBatchSize=1, PauseTime="PT5M",
    )),
))
scale_up = t.add_resource(autoscaling.ScalingPolicy(
    "ScaleOutPolicy",
    AutoScalingGroupName=Ref(asg),
    PolicyType="SimpleScaling",
    AdjustmentType="ChangeInCapacity",
    ScalingAdjustment=1,
    Cooldown="300",
))

# --------------------------------------------------------- alarms and topic
topic = t.add_resource(sns.Topic(
    "AlarmTopic",
    DisplayName="web service alarms",
    KmsMasterKeyId="alias/aws/sns",
    Subscription=If("HasAlarmEmail", [sns.Subscription(Protocol="email", Endpoint=Ref("AlarmEmail"))], NO_VALUE),
))

t.add_resource(cloudwatch.Alarm(
    "WebCpuHighAlarm",
    AlarmDescription="Web servers above 70% CPU for 10 minutes: add one",
    Namespace="AWS/EC2",
    MetricName="CPUUtilization",
    Dimensions=[cloudwatch.MetricDimension(Name="AutoScalingGroupName", Value=Ref(asg))],
    Statistic="Average",
    Period=300,
    EvaluationPeriods=2,
    Threshold=70,
    ComparisonOperator="GreaterThanThreshold",
    AlarmActions=[Ref(scale_up), Ref(topic)],
))
t.add_resource(cloudwatch.Alarm(
    "Http5xxAlarm",
    AlarmDescription="The load balancer answered more than 10 5xx responses a minute",
    Namespace="AWS/ApplicationELB",
    MetricName="HTTPCode_ELB_5XX_Count",
    Dimensions=[cloudwatch.MetricDimension(Name="LoadBalancer", Value=GetAtt(alb, "LoadBalancerFullName"))],
    Statistic="Sum",
    Period=60,
    EvaluationPeriods=3,
    Threshold=10,
    ComparisonOperator="GreaterThanThreshold",
    TreatMissingData="notBreaching",
    AlarmActions=[Ref(topic)],
))
t.add_resource(cloudwatch.Alarm(
    "DatabaseStorageLowAlarm",
    Condition="ProductionWithEmail",
    AlarmDescription="Less than 5 GiB of database storage left",
    Namespace="AWS/RDS",
    MetricName="FreeStorageSpace",
    Dimensions=[cloudwatch.MetricDimension(Name="DBInstanceIdentifier", Value=Ref(db))],
    Statistic="Minimum",
    Period=300,
    EvaluationPeriods=1,
    Threshold=5368709120,
    ComparisonOperator="LessThanThreshold",
    AlarmActions=[Ref(topic)],
    OKActions=[Ref(topic)],
))

# ------------------------------------------------------------------- outputs
t.add_output(Output(
    "VpcId", Value=Ref(vpc), Export=Export(Sub("${AWS::StackName}-VpcId")),
))
t.add_output(Output(
    "AppSubnetIds",
    Value=Join(",", [Ref(s) for s in app_subnets]),
    Export=Export(Sub("${AWS::StackName}-AppSubnetIds")),
))
t.add_output(Output(
    "ServiceUrl",
    Description="Where the service answers",
    Value=If("HasCertificate",
             Join("", ["https://", GetAtt(alb, "DNSName")]),
             Join("", ["http://", GetAtt(alb, "DNSName")])),
))
t.add_output(Output(
    "DatabaseEndpoint",
    Value=GetAtt(db, "Endpoint.Address"),
    Export=Export(Sub("${AWS::StackName}-DatabaseEndpoint")),
))
t.add_output(Output(
    "AlarmTopicArn", Value=Ref(topic), Export=Export(Sub("${AWS::StackName}-AlarmTopicArn")),
))

if __name__ == "__main__":
    print(t.to_json())
