'use strict';
// A small, highly available web service, written for hagen's import
// round-trip corpus. Everything is inline (no assets), so the synthesized
// template is self-contained.
const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
const autoscaling = require('aws-cdk-lib/aws-autoscaling');
const rds = require('aws-cdk-lib/aws-rds');
const sns = require('aws-cdk-lib/aws-sns');
const cloudwatch = require('aws-cdk-lib/aws-cloudwatch');
const cwActions = require('aws-cdk-lib/aws-cloudwatch-actions');
const s3 = require('aws-cdk-lib/aws-s3');
const iam = require('aws-cdk-lib/aws-iam');
const lambda = require('aws-cdk-lib/aws-lambda');

class WebStack extends cdk.Stack {
  constructor(scope, id, props) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Network', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      maxAzs: 2,
      natGateways: 2,
      restrictDefaultSecurityGroup: false,
      subnetConfiguration: [
        { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 26 },
      ],
    });

    // Security group chain: internet -> ALB -> app instances -> database.
    const albSg = new ec2.SecurityGroup(this, 'LoadBalancerSg', {
      vpc,
      description: 'HTTP from the internet to the load balancer',
      allowAllOutbound: false,
    });
    albSg.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80), 'HTTP from anywhere');

    const appSg = new ec2.SecurityGroup(this, 'AppSg', {
      vpc,
      description: 'Web servers, reachable from the load balancer only',
      allowAllOutbound: true,
    });
    appSg.addIngressRule(albSg, ec2.Port.tcp(8080), 'from the load balancer');
    albSg.addEgressRule(appSg, ec2.Port.tcp(8080), 'to the web servers');

    const dbSg = new ec2.SecurityGroup(this, 'DatabaseSg', {
      vpc,
      description: 'PostgreSQL, reachable from the web servers only',
      allowAllOutbound: false,
    });
    dbSg.addIngressRule(appSg, ec2.Port.tcp(5432), 'from the web servers');

    const assets = new s3.Bucket(this, 'StaticAssets', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      removalPolicy: cdk.RemovalPolicy.RETAIN,
      lifecycleRules: [{ noncurrentVersionExpiration: cdk.Duration.days(30) }],
    });

    const db = new rds.DatabaseInstance(this, 'Database', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17_6 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MEDIUM),
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      securityGroups: [dbSg],
      multiAz: true,
      storageEncrypted: true,
      allocatedStorage: 50,
      maxAllocatedStorage: 200,
      backupRetention: cdk.Duration.days(7),
      deletionProtection: true,
      databaseName: 'web',
      credentials: rds.Credentials.fromGeneratedSecret('webadmin'),
      removalPolicy: cdk.RemovalPolicy.SNAPSHOT,
    });

    const userData = ec2.UserData.forLinux();
    userData.addCommands(
      'dnf install -y nginx',
      "sed -i 's/listen       80;/listen       8080;/' /etc/nginx/nginx.conf",
      `echo "assets bucket: ${assets.bucketName}" > /usr/share/nginx/html/index.html`,
      'systemctl enable --now nginx',
    );

    const instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore')],
    });
    assets.grantRead(instanceRole);
    db.secret.grantRead(instanceRole);

    const launchTemplate = new ec2.LaunchTemplate(this, 'WebLaunchTemplate', {
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.SMALL),
      securityGroup: appSg,
      role: instanceRole,
      userData,
      requireImdsv2: true,
      blockDevices: [{
        deviceName: '/dev/xvda',
        volume: ec2.BlockDeviceVolume.ebs(20, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }),
      }],
    });

    const asg = new autoscaling.AutoScalingGroup(this, 'WebServers', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate,
      minCapacity: 2,
      maxCapacity: 6,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: cdk.Duration.minutes(5),
      }),
    });
    asg.scaleOnCpuUtilization('KeepCpuAt50', { targetUtilizationPercent: 50 });

    const alb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      securityGroup: albSg,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    });
    const listener = alb.addListener('Http', { port: 80, open: false });
    const targets = listener.addTargets('Web', {
      port: 8080,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targets: [asg],
      healthCheck: { path: '/', healthyHttpCodes: '200' },
      deregistrationDelay: cdk.Duration.seconds(30),
    });

    const alerts = new sns.Topic(this, 'Alerts', { displayName: 'web service alerts' });

    const unhealthy = new cloudwatch.Alarm(this, 'UnhealthyHosts', {
      metric: targets.metrics.unhealthyHostCount({ period: cdk.Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: 'At least one web server failed its health check for 3 minutes',
    });
    unhealthy.addAlarmAction(new cwActions.SnsAction(alerts));

    const dbCpu = new cloudwatch.Alarm(this, 'DatabaseCpuHigh', {
      metric: db.metricCPUUtilization({ period: cdk.Duration.minutes(5) }),
      threshold: 80,
      evaluationPeriods: 2,
      alarmDescription: 'Database CPU above 80% for 10 minutes',
    });
    dbCpu.addAlarmAction(new cwActions.SnsAction(alerts));

    const fnRole = new iam.Role(this, 'ReportFunctionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
    });
    const fn = new lambda.Function(this, 'ReportFunction', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      role: fnRole,
      memorySize: 256,
      timeout: cdk.Duration.seconds(30),
      environment: { TOPIC_ARN: alerts.topicArn, BUCKET: assets.bucketName },
      code: lambda.Code.fromInline([
        "const { SNSClient, PublishCommand } = require('@aws-sdk/client-sns');",
        'const sns = new SNSClient({});',
        'exports.handler = async (event) => {',
        "  const message = JSON.stringify({ source: 'report', detail: event });",
        '  await sns.send(new PublishCommand({ TopicArn: process.env.TOPIC_ARN, Message: message }));',
        '  return { ok: true };',
        '};',
      ].join('\n')),
    });
    alerts.grantPublish(fn);

    new cdk.CfnOutput(this, 'LoadBalancerDns', { value: alb.loadBalancerDnsName });
    new cdk.CfnOutput(this, 'DatabaseEndpoint', { value: db.dbInstanceEndpointAddress });
    new cdk.CfnOutput(this, 'AlertsTopicArn', { value: alerts.topicArn, exportName: 'web-alerts-topic' });
    new cdk.CfnOutput(this, 'ReportFunctionName', { value: fn.functionName });
  }
}

const app = new cdk.App({ analyticsReporting: false });
new WebStack(app, 'HagenCdkWeb', {
  description: 'hagen import corpus: highly available web service (CDK v2, JavaScript)',
});
app.synth();
