// Test helper for flux-identity: evaluates IAM policies with iam-rs, so the tests check the
// policies the project writes with a real evaluator rather than with their own reading of IAM.
//
// stdin:  {"cases": [{"policies": [<policy document>...], "request": {"Principal": ..., "Action": ...,
//          "Resource": ..., "Context": {...}}, "ignoreResource": bool}]}
//         ignoreResource is for trust policies, which have no Resource element.
// stdout: {"results": ["Allow" | "Deny" | "NotApplicable" | "error: <message>", ...]}
//         NotApplicable is an implicit deny.
use iam_rs::{EvaluationOptions, IAMPolicy, IAMRequest, PolicyEvaluator};
use serde_json::Value;
use std::io::Read;

fn evaluate(case: &Value) -> Result<String, String> {
    let mut policies = Vec::new();
    for p in case["policies"].as_array().ok_or("policies must be an array")? {
        policies.push(IAMPolicy::from_json(&p.to_string()).map_err(|e| format!("policy: {e}"))?);
    }
    let request: IAMRequest = serde_json::from_value(case["request"].clone()).map_err(|e| format!("request: {e}"))?;
    let options = EvaluationOptions {
        ignore_resource_constraints: case["ignoreResource"].as_bool().unwrap_or(false),
        ..Default::default()
    };
    let result = PolicyEvaluator::with_policies(policies)
        .with_options(options)
        .evaluate(&request)
        .map_err(|e| format!("evaluate: {e}"))?;
    Ok(result.decision.to_string())
}

fn main() {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).expect("read stdin");
    let v: Value = serde_json::from_str(&input).expect("stdin must be JSON");
    let results: Vec<Value> = v["cases"]
        .as_array()
        .expect("cases must be an array")
        .iter()
        .map(|c| Value::String(evaluate(c).unwrap_or_else(|e| format!("error: {e}"))))
        .collect();
    println!("{}", serde_json::json!({ "results": results }));
}
