//! The server's own OpenAPI document as the contract of every call a test makes: the operation a
//! request names must be documented, its path and query parameters and its body must fit the
//! documented schemas, the status it answers must be documented for it, and the body must fit the
//! schema documented for that status. `$ref`s resolve into the document's components.
//!
//! [`Contract::check_request`] and [`Contract::check_response`] report what does not fit;
//! [`Caller`] sends requests through [`Client`] and fails the test, naming the operation, the
//! status and the validation error, as soon as one of them does not fit.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderName, Method, StatusCode, header};
use jsonschema::{Draft, Validator};
use serde_json::Value;

use crate::http::{Client, Res};

/// Where the server serves its document.
pub const DOCUMENT_PATH: &str = "/api/v1/openapi.json";

/// The document and the validators compiled from it so far.
pub struct Contract {
    doc: Value,
    /// The server URL the document's paths are relative to, `/api/v1`.
    base: String,
    /// Whether a response object may carry only the properties its schema names.
    strict: bool,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

/// A documented operation a request matched, with the path parameters it carried.
pub struct Operation<'a> {
    pub method: Method,
    /// The path as the document writes it, `/residents/{id}`.
    pub template: &'a str,
    op: &'a Value,
    path_item: &'a Value,
    path_params: Vec<(String, String)>,
}

impl Operation<'_> {
    /// `POST /residents (create_resident)`, for messages.
    pub fn name(&self) -> String {
        let id = self.op["operationId"].as_str().unwrap_or("no operationId");
        format!("{} {} ({id})", self.method, self.template)
    }
}

impl Contract {
    /// Reads the document the server serves.
    pub async fn fetch(client: &mut Client) -> Contract {
        let res = client.get(DOCUMENT_PATH).await;
        assert_eq!(res.status, StatusCode::OK, "GET {DOCUMENT_PATH}");
        Contract::new(res.json())
    }

    /// The contract of `doc`. Panics unless `doc` is an OpenAPI 3.1 document whose operations
    /// each have an id of their own, as the specification asks and the messages rely on.
    pub fn new(doc: Value) -> Contract {
        let version = doc["openapi"].as_str().unwrap_or("");
        assert!(version.starts_with("3.1."), "OpenAPI 3.1, not {version:?}");
        let mut ids: HashMap<&str, Vec<String>> = HashMap::new();
        for (template, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                if let Some(id) = op["operationId"].as_str() {
                    ids.entry(id)
                        .or_default()
                        .push(format!("{} {template}", method.to_uppercase()));
                }
            }
        }
        let mut repeated: Vec<String> = ids
            .into_iter()
            .filter(|(_, ops)| ops.len() > 1)
            .map(|(id, ops)| format!("{id}: {}", ops.join(", ")))
            .collect();
        repeated.sort();
        assert!(
            repeated.is_empty(),
            "operationIds used more than once: {repeated:?}"
        );
        let base = doc["servers"][0]["url"]
            .as_str()
            .unwrap_or("")
            .trim_end_matches('/')
            .to_owned();
        Contract {
            doc,
            base,
            strict: false,
            validators: Mutex::new(HashMap::new()),
        }
    }

    /// Holds responses to the properties their schemas name: a property the document does not
    /// mention fails too, though JSON Schema alone would let it through.
    pub fn strict(mut self) -> Contract {
        self.strict = true;
        self
    }

    /// The documented operation of `method` on `path` (`/api/v1/...`, a query allowed): the
    /// template with the most literal segments among those that have the method.
    pub fn operation(&self, method: &Method, path: &str) -> Result<Operation<'_>, String> {
        let path = path.split('?').next().unwrap_or("");
        let relative = path
            .strip_prefix(&self.base)
            .filter(|r| r.starts_with('/'))
            .ok_or_else(|| format!("{path} is not under the server URL {}", self.base))?;
        let segments: Vec<&str> = relative.split('/').collect();
        let key = method.as_str().to_ascii_lowercase();
        let paths = self.doc["paths"]
            .as_object()
            .ok_or("the document has no paths")?;
        let mut best: Option<(usize, Operation<'_>)> = None;
        for (template, item) in paths {
            let Some(params) = match_template(template, &segments) else {
                continue;
            };
            let Some(op) = item.get(&key) else { continue };
            let literal = segments.len() - params.len();
            if best.as_ref().is_none_or(|(l, _)| literal > *l) {
                let operation = Operation {
                    method: method.clone(),
                    template,
                    op,
                    path_item: item,
                    path_params: params,
                };
                best = Some((literal, operation));
            }
        }
        best.map(|(_, op)| op)
            .ok_or_else(|| format!("the document has no operation {method} {relative}"))
    }

    /// Checks a request before it is sent: its operation is documented, its path and query
    /// parameters are documented and fit their schemas, and its JSON body (when it has one) is
    /// the documented request body and fits its schema.
    pub fn check_request(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(), String> {
        let op = self.operation(method, path)?;
        let name = op.name();
        let parameters = self.parameters(&op);
        let query = path.split_once('?').map_or("", |(_, q)| q);
        let query: Vec<(String, String)> = query
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (k, v) = p.split_once('=').unwrap_or((p, ""));
                (percent_decode(k, true), percent_decode(v, true))
            })
            .collect();
        for (location, given) in [("path", &op.path_params), ("query", &query)] {
            for (param, raw) in given {
                let schema = parameters
                    .iter()
                    .find(|p| p["in"] == location && p["name"] == param.as_str())
                    .map(|p| &p["schema"])
                    .ok_or_else(|| format!("{name}: no {location} parameter `{param}`"))?;
                let value = coerce(raw, schema);
                let key = format!("{name} {location} {param}");
                self.validate(&key, schema, &value, false)
                    .map_err(|e| format!("{name}: {location} parameter `{param}`={raw}: {e}"))?;
            }
        }
        for p in &parameters {
            let name_of = p["name"].as_str().unwrap_or("");
            if p["in"] == "query"
                && p["required"] == true
                && !query.iter().any(|(k, _)| k == name_of)
            {
                return Err(format!(
                    "{name}: the required query parameter `{name_of}` is missing"
                ));
            }
        }
        let request_body = op.op.get("requestBody").map(|b| self.resolve(b));
        match (request_body, body) {
            (None, None) => Ok(()),
            (None, Some(_)) => Err(format!("{name} documents no request body, and one is sent")),
            (Some(b), None) if b["required"] == true => {
                Err(format!("{name}: the request body is required"))
            }
            (Some(_), None) => Ok(()),
            (Some(b), Some(body)) => {
                let schema = b["content"]["application/json"]
                    .get("schema")
                    .ok_or_else(|| format!("{name} documents no JSON request body"))?;
                self.validate(&format!("{name} request"), schema, body, false)
                    .map_err(|e| format!("{name}: the request body does not fit its schema: {e}"))
            }
        }
    }

    /// Checks a response: its status is documented for the operation, its content type is a
    /// documented one (and no body is sent where none is documented), and a JSON body fits the
    /// schema of that status. Returns the JSON body, `Null` when there is none.
    pub fn check_response(&self, method: &Method, path: &str, res: &Res) -> Result<Value, String> {
        let op = self.operation(method, path)?;
        let name = op.name();
        let status = res.status.as_u16().to_string();
        let responses = &op.op["responses"];
        let response = responses
            .get(&status)
            .or_else(|| responses.get("default"))
            .map(|r| self.resolve(r))
            .ok_or_else(|| format!("{name} does not document the status {status}"))?;
        let content_type = res.header(header::CONTENT_TYPE).map(|c| {
            c.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        });
        let content = response["content"].as_object().filter(|c| !c.is_empty());
        let Some(content) = content else {
            return if res.body.is_empty() {
                Ok(Value::Null)
            } else {
                Err(format!(
                    "{name} answered {status} with a body where the document has none: {}",
                    excerpt(&res.text())
                ))
            };
        };
        let media = content_type
            .as_deref()
            .and_then(|c| content.get(c).map(|m| (c, m)))
            .ok_or_else(|| {
                let documented: Vec<&String> = content.keys().collect();
                format!("{name} answered {status} as {content_type:?}, documented: {documented:?}")
            })?;
        let (media_type, media) = media;
        if media_type != "application/json" {
            // A spreadsheet or a file: its bytes are not JSON to validate.
            return Ok(Value::Null);
        }
        let body: Value = serde_json::from_slice(&res.body).map_err(|e| {
            format!(
                "{name} answered {status} with a body that is not JSON ({e}): {}",
                excerpt(&res.text())
            )
        })?;
        if let Some(schema) = media.get("schema") {
            self.validate(&format!("{name} {status}"), schema, &body, self.strict)
                .map_err(|e| {
                    format!(
                        "{name} answered {status} with a body that does not fit its schema: {e}\n{}",
                        excerpt(&body.to_string())
                    )
                })?;
        }
        if res.status == StatusCode::UNPROCESSABLE_ENTITY {
            self.check_fields_named(&op, &body)?;
        }
        Ok(body)
    }

    /// A 422 names, as the document says, each parameter or field that does not fit: each name
    /// (`answers[0].origin` by its first part) is a parameter of the operation or a property of
    /// its request body, never a name the caller cannot have sent.
    fn check_fields_named(&self, op: &Operation<'_>, body: &Value) -> Result<(), String> {
        let mut names: Vec<&str> = self
            .parameters(op)
            .iter()
            .filter_map(|p| p["name"].as_str())
            .collect();
        if let Some(b) = op.op.get("requestBody") {
            let schema = self.resolve(&self.resolve(b)["content"]["application/json"]["schema"]);
            names.extend(
                schema["properties"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k.as_str()),
            );
        }
        let fields = body["error"]["fields"].as_array().into_iter().flatten();
        for field in fields.filter_map(|f| f["field"].as_str()) {
            let root = field.split(['[', '.']).next().unwrap_or(field);
            if !names.contains(&root) {
                return Err(format!(
                    "{} answered 422 naming `{field}`, neither a parameter nor a property of its \
                     request body ({names:?})",
                    op.name()
                ));
            }
        }
        Ok(())
    }

    /// The operation's parameters and its path item's, `$ref`s resolved.
    fn parameters<'a>(&'a self, op: &Operation<'a>) -> Vec<&'a Value> {
        [&op.op["parameters"], &op.path_item["parameters"]]
            .into_iter()
            .filter_map(Value::as_array)
            .flatten()
            .map(|p| self.resolve(p))
            .collect()
    }

    /// Follows a `$ref` to the document's own object (`#/components/...`).
    fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        let mut current = value;
        // A bound, in case a document refers to itself in a loop.
        for _ in 0..16 {
            let Some(target) = current["$ref"].as_str().and_then(|r| r.strip_prefix('#')) else {
                break;
            };
            match self.doc.pointer(target) {
                Some(next) => current = next,
                None => break,
            }
        }
        current
    }

    /// Validates `instance` against `schema`, compiled once per key.
    fn validate(
        &self,
        key: &str,
        schema: &Value,
        instance: &Value,
        closed: bool,
    ) -> Result<(), String> {
        let validator = {
            let mut cache = self
                .validators
                .lock()
                .map_err(|_| "the validator cache is poisoned".to_owned())?;
            match cache.get(key) {
                Some(v) => Arc::clone(v),
                None => {
                    let v = Arc::new(self.compile(schema, closed)?);
                    cache.insert(key.to_owned(), Arc::clone(&v));
                    v
                }
            }
        };
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .take(5)
            .map(|e| {
                let at = e.instance_path().to_string();
                let at = if at.is_empty() { "/".to_owned() } else { at };
                format!("{e} (at {at}, schema {})", e.schema_path())
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors.join("; "))
        }
    }

    /// A validator of `schema` with the document's components beside it, so that its `$ref`s
    /// (`#/components/schemas/...`) resolve where the document says; OpenAPI 3.1 schemas are
    /// JSON Schema 2020-12.
    fn compile(&self, schema: &Value, closed: bool) -> Result<Validator, String> {
        let mut components = self.doc["components"].clone();
        let mut root = schema.clone();
        if closed {
            let parts = all_of_parts(&components);
            if let Some(Value::Object(schemas)) = components.get_mut("schemas") {
                for (name, schema) in schemas.iter_mut() {
                    close(schema, parts.contains(name));
                }
            }
            close_objects(&mut root);
        }
        let Value::Object(map) = &mut root else {
            return Err(format!("a schema that is not an object: {schema}"));
        };
        map.insert("components".to_owned(), components);
        jsonschema::options()
            .with_draft(Draft::Draft202012)
            .build(&root)
            .map_err(|e| format!("the document's schema does not compile: {e}"))
    }
}

/// Says that every object schema with named properties has no others. A schema composed
/// with `allOf` (a flattened part, such as a household's address) is closed as a whole, by
/// `unevaluatedProperties`, since each part alone holds only some of the properties.
fn close_objects(schema: &mut Value) {
    close(schema, false);
}

/// The components that stand as a part of an `allOf`: closed by the schema they are part of.
fn all_of_parts(schema: &Value) -> std::collections::HashSet<String> {
    let mut parts = std::collections::HashSet::new();
    let mut stack = vec![schema];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                if let Some(Value::Array(items)) = map.get("allOf") {
                    parts.extend(items.iter().filter_map(|i| {
                        let r = i.get("$ref")?.as_str()?;
                        Some(r.strip_prefix("#/components/schemas/")?.to_owned())
                    }));
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    parts
}

fn close(schema: &mut Value, part_of_all_of: bool) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("allOf") {
                map.entry("unevaluatedProperties")
                    .or_insert(Value::Bool(false));
            } else if !part_of_all_of
                && map.contains_key("properties")
                && !map.contains_key("additionalProperties")
            {
                map.insert("additionalProperties".to_owned(), Value::Bool(false));
            }
            for (key, value) in map.iter_mut() {
                close(value, key == "allOf");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| close(i, part_of_all_of)),
        _ => {}
    }
}

/// The path parameters of `template` when the request's segments fit it.
fn match_template(template: &str, segments: &[&str]) -> Option<Vec<(String, String)>> {
    let parts: Vec<&str> = template.split('/').collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut params = Vec::new();
    for (part, segment) in parts.iter().zip(segments) {
        match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(name) if !segment.is_empty() => {
                params.push((name.to_owned(), percent_decode(segment, false)));
            }
            Some(_) => return None,
            None if part == segment => {}
            None => return None,
        }
    }
    Some(params)
}

/// A parameter's text as the JSON value its schema's type asks for: `7` for an integer, `true`
/// for a boolean; text otherwise, or when it is not one (the schema then refuses it).
fn coerce(raw: &str, schema: &Value) -> Value {
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"integer")
        && let Ok(n) = raw.parse::<i64>()
    {
        return Value::from(n);
    }
    if types.contains(&"number")
        && let Ok(n) = raw.parse::<f64>()
    {
        return Value::from(n);
    }
    if types.contains(&"boolean")
        && let Ok(b) = raw.parse::<bool>()
    {
        return Value::Bool(b);
    }
    Value::String(raw.to_owned())
}

/// Decodes the `%XX` escapes of a path segment or a query (where `+` is a space too).
fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (escaped, bytes[i]) {
            (Some(b), _) => {
                out.push(b);
                i += 3;
            }
            (None, b'+') if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            (None, b) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn excerpt(text: &str) -> String {
    text.chars().take(800).collect()
}

/// A response whose status and body the contract accepted.
pub struct Reply {
    pub status: StatusCode,
    /// The JSON body; `Null` when the response has none.
    pub body: Value,
}

impl Reply {
    /// The body, once the status is the one expected.
    #[track_caller]
    pub fn expect(self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "{}", self.body);
        self.body
    }
}

/// An API caller held to the contract: each request is checked before it is sent and each
/// response when it comes; the first that does not fit fails the test.
#[derive(Clone)]
pub struct Caller {
    client: Client,
    contract: Arc<Contract>,
}

impl Caller {
    pub fn new(client: Client, contract: Arc<Contract>) -> Caller {
        Caller { client, contract }
    }

    /// The same router and contract with a bearer token on every request.
    pub fn bearer(&self, token: &str) -> Caller {
        Caller::new(self.client.bearer(token), Arc::clone(&self.contract))
    }

    /// Asks `POST /api/v1/tokens` for a token of `username` and returns a caller that sends it.
    pub async fn signed_in(&mut self, username: &str, password: &str) -> Caller {
        let body = serde_json::json!({ "username": username, "password": password });
        let reply = self.post("/api/v1/tokens", &body).await;
        let token = reply.expect(StatusCode::CREATED)["token"]
            .as_str()
            .unwrap_or_else(|| panic!("a token for {username}"))
            .to_owned();
        self.bearer(&token)
    }

    /// Sends `body` as JSON, or nothing, with `method` to `path`.
    pub async fn call(&mut self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        if let Err(e) = self.contract.check_request(&method, path, body) {
            panic!("request outside the contract: {e}");
        }
        let res = match body {
            Some(b) => self.client.json(method.clone(), path, b).await,
            None => {
                let none: &[(HeaderName, &str)] = &[];
                self.client
                    .send(method.clone(), path, none, Body::empty())
                    .await
            }
        };
        match self.contract.check_response(&method, path, &res) {
            Ok(body) => Reply {
                status: res.status,
                body,
            },
            Err(e) => panic!("response outside the contract: {e}"),
        }
    }

    pub async fn get(&mut self, path: &str) -> Reply {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&mut self, path: &str, body: &Value) -> Reply {
        self.call(Method::POST, path, Some(body)).await
    }

    /// A `POST` of an operation that documents no request body.
    pub async fn post_empty(&mut self, path: &str) -> Reply {
        self.call(Method::POST, path, None).await
    }
}
