#!/usr/bin/env python3
"""Writes the hostile inputs hagen's limits are measured against.

Each file is crafted to cost as much as possible per byte in one part of
hagen: condition analysis, YAML alias expansion, problem lists, nesting,
the network checks, and hagen.toml. None is committed (several are close
to 1 MB); this script rebuilds them:

    tests/corpus/hostile/generate.py /tmp/hostile
    for f in /tmp/hostile/*.yaml /tmp/hostile/*.json; do
        /usr/bin/time -v target/release/hagen validate "$f" >/dev/null
    done
    for f in /tmp/hostile/*.toml; do
        /usr/bin/time -v target/release/hagen synth --config "$f" >/dev/null
    done

Inputs that need no file: `hagen validate /dev/zero`, `yes | hagen
validate -`, `hagen synth --config /dev/zero`.

The regression tests that pin each limit are in the library (search for
"Regression (hostile input"); this corpus is for measuring time and peak
memory on a release build, which tests never assert.
"""

import json
import os
import sys

TOPIC = "Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n"


def conditions_doubling(levels):
    """Each condition uses the previous one twice: 2^levels walks when
    conditions are not evaluated once each."""
    out = ["Parameters:\n  P:\n    Type: String\n",
           "Conditions:\n  C0: !Equals [!Ref P, a]\n"]
    for i in range(1, levels + 1):
        out.append(f"  C{i}: !And [!Condition C{i - 1}, !Condition C{i - 1}]\n")
    out.append("Resources:\n")
    out.append(f"  Topic:\n    Type: AWS::SNS::Topic\n    Condition: C{levels}\n")
    out.append(f"    Properties:\n      TopicName: !If [C{levels}, a, !Ref AWS::NoValue]\n")
    return "".join(out)


def conditions_within_quotas():
    """About 27 KB: 200 resources (CloudFormation's limit is 500), each
    under a different condition of a doubling chain and an Fn::If on
    another."""
    levels = 60
    out = ["Parameters:\n  P:\n    Type: String\n",
           "Conditions:\n  C0: !Equals [!Ref P, a]\n"]
    for i in range(1, levels + 1):
        op = "And" if i % 2 else "Or"
        out.append(f"  C{i}: !{op} [!Condition C{i - 1}, !Condition C{i - 1}]\n")
    out.append("Resources:\n")
    for r in range(200):
        c, d = levels - r % 30, levels - (r * 7) % 30
        out.append(f"  T{r}:\n    Type: AWS::SNS::Topic\n    Condition: C{c}\n")
        out.append(f"    Properties:\n      TopicName: !If [C{d}, t{r}, !Ref AWS::NoValue]\n")
    return "".join(out)


def conditions_budget():
    """A 2,000-long chain, each condition adding a comparison, and 300
    resources each needing a different link: what the memo cannot share."""
    n = 2000
    out = ["Parameters:\n  P:\n    Type: String\n",
           "Conditions:\n  C0: !Equals [!Ref P, v0]\n"]
    for i in range(1, n):
        out.append(f"  C{i}: !And [!Condition C{i - 1}, !Equals [!Ref P, v{i}]]\n")
    out.append("Resources:\n")
    for k in range(300):
        out.append(f"  T{k}:\n    Type: AWS::SNS::Topic\n    Condition: C{n - 1 - k}\n")
    return "".join(out)


def conditions_long_chain(n):
    """A chain of negations: recursion through condition names."""
    out = ["Parameters:\n  P:\n    Type: String\n",
           "Conditions:\n  C0: !Equals [!Ref P, a]\n"]
    for i in range(1, n):
        out.append(f"  C{i}: !Not [!Condition C{i - 1}]\n")
    out.append(f"Resources:\n  Topic:\n    Type: AWS::SNS::Topic\n    Condition: C{n - 1}\n")
    return "".join(out)


def conditions_linear(n, resources):
    """A chain of n conditions, each resource under a different link."""
    out = ["Parameters:\n  P:\n    Type: String\n",
           "Conditions:\n  C0: !Equals [!Ref P, a]\n"]
    for i in range(1, n + 1):
        out.append(f"  C{i}: !And [!Condition C{i - 1}, !Equals [!Ref P, v{i}]]\n")
    out.append("Resources:\n")
    for k in range(resources):
        out.append(f"  T{k}:\n    Type: AWS::SNS::Topic\n    Condition: C{n - k % n}\n")
    return "".join(out)


def many_ifs(n):
    """One resource with n Fn::If on n independent conditions."""
    out = ["Parameters:\n  P:\n    Type: String\n", "Conditions:\n"]
    out += [f"  C{i}: !Equals [!Ref P, v{i}]\n" for i in range(n)]
    out.append("Resources:\n  G:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
               "      GroupDescription: d\n      Tags:\n")
    out += [f"        - !If [C{i}, {{Key: k{i}, Value: v}}, !Ref AWS::NoValue]\n"
            for i in range(n)]
    return "".join(out)


def billion_laughs(levels, fan_out):
    out = ["Metadata:\n  L0: &a0 lol\n"]
    for i in range(1, levels + 1):
        items = ", ".join([f"*a{i - 1}"] * fan_out)
        out.append(f"  L{i}: &a{i} [{items}]\n")
    return "".join(out) + TOPIC


def alias_big_string(size, aliases):
    """Few values, many bytes: what a budget of values alone lets through."""
    return (f"Metadata:\n  A: &a \"{'x' * size}\"\n  L:\n"
            + "  - *a\n" * aliases + TOPIC)


def alias_keys(size, aliases):
    """Aliases used as keys, once counted by nothing."""
    return (f"Metadata:\n  A: &a \"{'k' * size}\"\n  L:\n"
            + "  - {*a : 1}\n" * aliases + TOPIC)


def problems_under_long_key(key, count):
    """Every problem once copied the whole path above it."""
    return (f"Metadata:\n  ? {'k' * key}\n  :\n" + "    - yes\n" * count + TOPIC)


def json_duplicates(key, count):
    dupes = ", ".join(['"a": 1'] * count)
    return ('{"Metadata": {"' + "k" * key + '": {' + dupes + '}}, '
            '"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}')


def problems_deep_long_keys(levels, key, count):
    """Long keys on every level above thousands of problems."""
    out, indent = ["Metadata:\n"], "  "
    for d in range(levels):
        out.append(f"{indent}? k{d}{'x' * key}\n{indent}:\n")
        indent += " "
    out.append(f"{indent}- yes\n" * count)
    return "".join(out) + TOPIC


def deep_flow(depth):
    return "Metadata:\n  D: " + "[" * depth + "]" * depth + "\n" + TOPIC


def deep_json(depth):
    return ('{"Metadata": {"D": ' + "[" * depth + "]" * depth + '}, '
            '"Resources": {"T": {"Type": "AWS::SNS::Topic"}}}')


def deep_block(depth):
    lines = ["Metadata:\n"]
    for i in range(depth):
        lines.append("  " * (i + 1) + f"k{i}:\n")
    lines.append("  " * (depth + 1) + "v: 1\n")
    return "".join(lines) + TOPIC


def deep_repeated(copies):
    """Nesting just under the limit, many times over."""
    one = "[" * 97 + "]" * 97
    return "Metadata:\n  L: [" + ",".join([one] * copies) + "]\n" + TOPIC


def many_nodes(n):
    return "Metadata:\n  L: [" + ",".join(["1"] * n) + "]\n" + TOPIC


def many_resources(n):
    """Resources of one type: schema work per resource once grew with
    their number."""
    return "Resources:\n" + "".join(
        f"  R{i}: {{Type: AWS::SNS::Topic, Properties: {{TopicName: t{i}}}}}\n"
        for i in range(n))


def many_subnets(n):
    """Distinct subnets of one VPC: the overlap check compares pairs."""
    return ("Resources:\n  V: {Type: AWS::EC2::VPC, Properties: {CidrBlock: 10.0.0.0/8}}\n"
            + "".join(f"  S{i}: {{Type: AWS::EC2::Subnet, Properties: {{VpcId: !Ref V, "
                      f"CidrBlock: 10.{i // 256 % 256}.{i % 256}.0/24}}}}\n" for i in range(n)))


def subnet_copies(n):
    """Every pair of overlapping subnets was once a finding."""
    out = ["Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n"
           "      CidrBlock: 10.0.0.0/16\n"]
    for i in range(n):
        out.append(f"  S{i}:\n    Type: AWS::EC2::Subnet\n    Properties:\n"
                   "      VpcId: !Ref Vpc\n      CidrBlock: 10.0.1.0/24\n")
    return "".join(out)


def group_mesh(n):
    """n security groups each allowing the others, instances of all of
    them in n subnets under one ACL: flows multiply."""
    r = {"V": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.0.0.0/16"}},
         "Acl": {"Type": "AWS::EC2::NetworkAcl", "Properties": {"VpcId": {"Ref": "V"}}}}
    groups = [{"Ref": f"G{g}"} for g in range(n)]
    for i in range(n):
        r[f"S{i}"] = {"Type": "AWS::EC2::Subnet", "Properties": {
            "VpcId": {"Ref": "V"}, "CidrBlock": f"10.0.{i}.0/24"}}
        r[f"A{i}"] = {"Type": "AWS::EC2::SubnetNetworkAclAssociation", "Properties": {
            "SubnetId": {"Ref": f"S{i}"}, "NetworkAclId": {"Ref": "Acl"}}}
        r[f"G{i}"] = {"Type": "AWS::EC2::SecurityGroup", "Properties": {
            "GroupDescription": "d", "VpcId": {"Ref": "V"},
            "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 80 + h, "ToPort": 80 + h,
                 "SourceSecurityGroupId": {"Ref": f"G{h}"}} for h in range(n)]}}
        r[f"I{i}"] = {"Type": "AWS::EC2::Instance", "Properties": {
            "ImageId": "ami-1", "SubnetId": {"Ref": f"S{i}"}, "SecurityGroupIds": groups}}
    return json.dumps({"Resources": r})


def toml_many_keys(n):
    """Unknown keys on one long line: each problem quoted the line."""
    keys = ", ".join(f"k{i} = 1" for i in range(n))
    return f"environments = {{ stage = {{ {keys} }} }}\n"


def toml_environments(n):
    out = []
    for i in range(n):
        parent = "stage" if i == 0 else f"e{i - 1}"
        out.append(f"[environments.e{i}]\nextends = \"{parent}\"\n")
    return "".join(out)


def toml_tags(n):
    return "[tags]\n" + "".join(f"T{i} = \"v\"\n" for i in range(n))


def toml_deep(depth):
    return "x = " + "[" * depth + "]" * depth + "\n"


def toml_dotted_key(depth):
    return "[environments.stage.blueprint]\n" + ".".join(["a"] * depth) + " = 1\n"


def toml_dotted_table(depth):
    return "[environments.stage.blueprint." + ".".join(["a"] * depth) + "]\nx = 1\n"


FILES = {
    "conditions-doubling-40.yaml": lambda: conditions_doubling(40),
    "conditions-within-quotas.yaml": conditions_within_quotas,
    "conditions-budget.yaml": conditions_budget,
    "conditions-chain-25000.yaml": lambda: conditions_long_chain(25_000),
    "conditions-linear-3000x8000.yaml": lambda: conditions_linear(3000, 8000),
    "conditions-many-ifs.yaml": lambda: many_ifs(300),
    "alias-billion-laughs.yaml": lambda: billion_laughs(9, 10),
    "alias-big-string.yaml": lambda: alias_big_string(200_000, 99_000),
    "alias-keys.yaml": lambda: alias_keys(300_000, 50_000),
    "problems-long-key.yaml": lambda: problems_under_long_key(500_000, 45_000),
    "problems-json-duplicates.json": lambda: json_duplicates(500_000, 60_000),
    "problems-deep-long-keys.yaml": lambda: problems_deep_long_keys(90, 5000, 5000),
    "size-huge-scalar.yaml": lambda: "Description: " + "x" * 999_000 + "\n" + TOPIC,
    "size-many-nodes.yaml": lambda: many_nodes(490_000),
    "size-many-resources.yaml": lambda: many_resources(15_000),
    "deep-flow.yaml": lambda: deep_flow(400_000),
    "deep-block.yaml": lambda: deep_block(900),
    "deep.json": lambda: deep_json(400_000),
    "deep-repeated.yaml": lambda: deep_repeated(5000),
    "network-subnet-copies.yaml": lambda: subnet_copies(3000),
    "network-many-subnets.yaml": lambda: many_subnets(10_000),
    "network-group-mesh.json": lambda: group_mesh(50),
    "oversized-2mb.yaml": lambda: "# " + "x" * 2_000_000 + "\n" + TOPIC,
    "toml-many-keys.toml": lambda: toml_many_keys(60_000),
    "toml-environments.toml": lambda: toml_environments(20_000),
    "toml-tags.toml": lambda: toml_tags(60_000),
    "toml-deep.toml": lambda: toml_deep(400_000),
    "toml-dotted-key.toml": lambda: toml_dotted_key(50_000),
    "toml-dotted-table.toml": lambda: toml_dotted_table(50_000),
    "toml-oversized.toml": lambda: "# " + "x" * 2_000_000 + "\n",
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/hagen-hostile"
    os.makedirs(out, exist_ok=True)
    for name, make in FILES.items():
        path = os.path.join(out, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(make())
        print(f"{os.path.getsize(path):>9} {path}")


if __name__ == "__main__":
    main()
