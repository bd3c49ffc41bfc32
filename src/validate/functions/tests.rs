use super::*;
use crate::template::parse::parse_template;

/// (rule, path) of every finding for a YAML template, as the parser reads it.
fn run(yaml: &str) -> Vec<(String, String)> {
    let parsed = parse_template(yaml, "t.yaml").expect("the test template parses");
    let t = &parsed.template;
    check(t, &Transforms::of(t))
        .into_iter()
        .map(|d| (d.rule, d.path.join("/")))
        .collect()
}

fn found(rule: &str, path: &str) -> (String, String) {
    (rule.to_owned(), path.to_owned())
}

#[test]
fn regression_unknown_functions_in_short_and_long_form_are_errors() {
    let yaml = "
Resources:
  T:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Foo bar
      DisplayName: !Sub
        - ${X}
        - X:
            Fn::GetAttr: [T, TopicName]
";
    assert_eq!(
        run(yaml),
        vec![
            found("HG217", "Resources/T/Properties/TopicName/Fn::Foo"),
            found(
                "HG217",
                "Resources/T/Properties/DisplayName/Fn::Sub/1/X/Fn::GetAttr"
            ),
        ]
    );
    let parsed = parse_template(yaml, "t.yaml").unwrap();
    let ds = check(&parsed.template, &Transforms::default());
    assert_eq!(
        ds[0].hint.as_deref(),
        Some("see the intrinsic function reference for the functions CloudFormation has")
    );
    assert_eq!(
        ds[1].hint.as_deref(),
        Some("did you mean Fn::GetAtt (!GetAtt)?")
    );
}

#[test]
fn known_unmodelled_functions_pass_and_transform_input_is_not_judged() {
    let yaml = "
Resources:
  T:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !GetStackOutput {StackName: net, OutputName: Name}
      DisplayName:
        Fn::Transform:
          Name: Upper
          Parameters: {In: !Whatever 1}
";
    assert_eq!(run(yaml), vec![]);
}

#[test]
fn regression_language_extensions_need_their_transform() {
    let body = "
Mappings:
  M: {a: {b: x}}
Resources:
  T:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !ToJsonString {a: 1}
      DisplayName: !Length [1, 2]
      FifoTopic: !FindInMap [M, a, c, {DefaultValue: false}]
";
    assert_eq!(
        run(body),
        vec![
            found("HG218", "Resources/T/Properties/TopicName/Fn::ToJsonString"),
            found("HG218", "Resources/T/Properties/DisplayName/Fn::Length"),
            found("HG218", "Resources/T/Properties/FifoTopic/Fn::FindInMap"),
        ]
    );
    let with = format!("Transform: AWS::LanguageExtensions\n{body}");
    assert_eq!(run(&with), vec![]);
}

#[test]
fn rule_functions_belong_in_rules() {
    let yaml = "
Parameters:
  Env: {Type: String}
Conditions:
  IsProd: !Contains [[prod], !Ref Env]
Resources:
  T: {Type: AWS::SNS::Topic}
";
    assert_eq!(
        run(yaml),
        vec![found("HG217", "Conditions/IsProd/Fn::Contains")]
    );
}

#[test]
fn rules_with_parameters_and_rule_functions_are_fine() {
    let yaml = "
Parameters:
  Env: {Type: String}
  Subnets: {Type: 'List<AWS::EC2::Subnet::Id>'}
Rules:
  Good:
    RuleCondition: !Equals [!Ref Env, prod]
    Assertions:
      - Assert: !Contains [[a, b], !Ref Env]
        AssertDescription: Env is a or b
      - Assert: !EachMemberEquals [!ValueOf [Subnets, VpcId], vpc-1]
      - Assert: !Not [!Equals [!Ref 'AWS::Region', us-west-1]]
      - Assert: !EachMemberIn [!ValueOfAll ['AWS::EC2::Subnet::Id', VpcId], !RefAll 'AWS::EC2::VPC::Id']
Resources:
  T: {Type: AWS::SNS::Topic}
";
    assert_eq!(run(yaml), vec![]);
}

#[test]
fn regression_rules_that_use_resources_or_other_functions_are_errors() {
    let yaml = "
Parameters:
  Env: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Rules:
  Bad:
    RuleCondition: !Equals [!Ref T, x]
    Assertions:
      - Assert: !Equals [!GetAtt T.TopicName, x]
      - Assert: !If [IsProd, true, false]
      - Assert: !Condition IsProd
      - Assert: !Equals [!Sub '${Env}', x]
      - Assert: !Equals [!Ref Nope, x]
      - Assert: !EachMemberIn [!ValueOf [Missing, VpcId], [a]]
      - Assert: !EachMemberIn [!ValueOf [!Ref Env, VpcId], [a]]
Resources:
  T: {Type: AWS::SNS::Topic}
";
    assert_eq!(
        run(yaml),
        vec![
            found("HG219", "Rules/Bad/RuleCondition/Fn::Equals/0/Ref"),
            found(
                "HG219",
                "Rules/Bad/Assertions/0/Assert/Fn::Equals/0/Fn::GetAtt"
            ),
            found("HG219", "Rules/Bad/Assertions/1/Assert/Fn::If"),
            found("HG219", "Rules/Bad/Assertions/2/Assert/Condition"),
            found(
                "HG219",
                "Rules/Bad/Assertions/3/Assert/Fn::Equals/0/Fn::Sub"
            ),
            found("HG201", "Rules/Bad/Assertions/4/Assert/Fn::Equals/0/Ref"),
            found(
                "HG219",
                "Rules/Bad/Assertions/5/Assert/Fn::EachMemberIn/0/Fn::ValueOf"
            ),
            found(
                "HG219",
                "Rules/Bad/Assertions/6/Assert/Fn::EachMemberIn/0/Fn::ValueOf"
            ),
        ]
    );
}

#[test]
fn for_each_keys_inside_values_need_the_transform() {
    let yaml = "
Resources:
  T:
    Type: AWS::SNS::Topic
    Properties:
      Tags:
        - Fn::ForEach::Tag: [K, [a], {Key: '${K}', Value: v}]
";
    assert_eq!(
        run(yaml),
        vec![found(
            "HG218",
            "Resources/T/Properties/Tags/0/Fn::ForEach::Tag"
        )]
    );
}
