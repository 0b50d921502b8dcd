//! A software passkey authenticator for the tests: P-256 keys, "none"
//! attestation, user verification claimed, and a signature counter the test
//! controls (to play a cloned or replayed authenticator). It answers the
//! options `register/begin/` and `login/begin/` hand out with the JSON a
//! browser's `PublicKeyCredential.toJSON()` produces.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine as _;
use ciborium::Value as Cbor;
use p256::ecdsa::{signature::Signer, Signature, SigningKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const UP: u8 = 0x01;
const UV: u8 = 0x04;
const AT: u8 = 0x40;

/// One credential the authenticator holds.
pub struct Credential {
    pub id: Vec<u8>,
    key: SigningKey,
    pub user_handle: Vec<u8>,
    pub rp_id: String,
    /// The next assertion's counter is this plus one.
    pub counter: u32,
}

pub struct SoftAuthenticator {
    /// The origin the "browser" reports in client data.
    pub origin: String,
    pub credentials: Vec<Credential>,
}

fn random_bytes(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    while out.len() < n {
        out.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    }
    out.truncate(n);
    out
}

fn b64(v: &Value) -> Vec<u8> {
    B64.decode(v.as_str().unwrap_or_else(|| panic!("not base64url text: {v}"))).expect("base64url")
}

fn cbor(v: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).expect("cbor");
    out
}

fn client_data(kind: &str, challenge: &Value, origin: &str) -> Vec<u8> {
    let challenge = challenge.as_str().expect("challenge");
    json!({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false}).to_string().into_bytes()
}

impl SoftAuthenticator {
    pub fn new(origin: &str) -> Self {
        SoftAuthenticator { origin: origin.to_owned(), credentials: Vec::new() }
    }

    /// Makes a new credential for the creation `options` and answers with
    /// it (as `credential` for `register/complete/`).
    pub fn create(&mut self, options: &Value) -> Value {
        let key = loop {
            if let Ok(k) = SigningKey::from_slice(&random_bytes(32)) {
                break k;
            }
        };
        let cred = Credential {
            id: random_bytes(32),
            key,
            user_handle: b64(&options["user"]["id"]),
            rp_id: options["rp"]["id"].as_str().expect("rp.id").to_owned(),
            counter: 0,
        };
        self.credentials.push(cred);
        self.attest(self.credentials.len() - 1, options)
    }

    /// Attests credential `i` again over `options` (a second registration
    /// of a credential that exists).
    pub fn attest(&self, i: usize, options: &Value) -> Value {
        let cred = &self.credentials[i];
        let point = cred.key.verifying_key().to_encoded_point(false);
        let cose = Cbor::Map(vec![
            (Cbor::Integer(1.into()), Cbor::Integer(2.into())),
            (Cbor::Integer(3.into()), Cbor::Integer((-7).into())),
            (Cbor::Integer((-1).into()), Cbor::Integer(1.into())),
            (Cbor::Integer((-2).into()), Cbor::Bytes(point.x().expect("x").to_vec())),
            (Cbor::Integer((-3).into()), Cbor::Bytes(point.y().expect("y").to_vec())),
        ]);
        let mut auth_data = Sha256::digest(cred.rp_id.as_bytes()).to_vec();
        auth_data.push(UP | UV | AT);
        auth_data.extend_from_slice(&cred.counter.to_be_bytes());
        auth_data.extend_from_slice(&[0u8; 16]);
        auth_data.extend_from_slice(&u16::try_from(cred.id.len()).expect("id length").to_be_bytes());
        auth_data.extend_from_slice(&cred.id);
        auth_data.extend_from_slice(&cbor(&cose));
        let attestation = Cbor::Map(vec![
            (Cbor::Text("fmt".into()), Cbor::Text("none".into())),
            (Cbor::Text("attStmt".into()), Cbor::Map(vec![])),
            (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
        ]);
        let id = B64.encode(&cred.id);
        json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "response": {
                "clientDataJSON": B64.encode(client_data("webauthn.create", &options["challenge"], &self.origin)),
                "attestationObject": B64.encode(cbor(&attestation)),
                "transports": ["internal", "hybrid"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        })
    }

    /// Signs the request `options` with credential `i`, its counter moved on.
    pub fn get(&mut self, options: &Value, i: usize) -> Value {
        self.credentials[i].counter += 1;
        let counter = self.credentials[i].counter;
        self.assert_with(options, i, counter, None)
    }

    /// An assertion with a chosen `counter` (a clone's stale one) and, when
    /// given, another user handle.
    pub fn assert_with(&self, options: &Value, i: usize, counter: u32, user_handle: Option<&[u8]>) -> Value {
        let cred = &self.credentials[i];
        let mut auth_data = Sha256::digest(cred.rp_id.as_bytes()).to_vec();
        auth_data.push(UP | UV);
        auth_data.extend_from_slice(&counter.to_be_bytes());
        let client_data = client_data("webauthn.get", &options["challenge"], &self.origin);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(&client_data));
        let signature: Signature = cred.key.sign(&signed);
        let id = B64.encode(&cred.id);
        json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "response": {
                "clientDataJSON": B64.encode(&client_data),
                "authenticatorData": B64.encode(&auth_data),
                "signature": B64.encode(signature.to_der().as_bytes()),
                "userHandle": B64.encode(user_handle.unwrap_or(&cred.user_handle)),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        })
    }
}
