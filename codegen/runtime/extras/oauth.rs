//! OAuth PKCE (RFC 7636) for OpenRouter's sign-in flow: a user approves your app on
//! OpenRouter, which sends them back to your callback URL with a `code`; the code and the
//! verifier made here are exchanged for an API key with `POST /auth/keys`.
//!
//! ```no_run
//! # async fn example(client: openrouter_generated::Client, code_from_callback: String) -> Result<(), openrouter_generated::Error> {
//! use openrouter_generated::oauth::Pkce;
//!
//! let pkce = Pkce::new()?;
//! let url = pkce.authorization_url("http://localhost:3000/callback")?;
//! println!("open {url}");
//! // ... the browser comes back to http://localhost:3000/callback?code=...
//! let key = client.oauth().exchange_code(pkce.exchange_request(code_from_callback)).send().await?;
//! println!("key for user {:?}", key.user_id);
//! # Ok(())
//! # }
//! ```

use crate::error::{Error, Result};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use std::fmt;

/// OpenRouter's authorization page.
pub const AUTHORIZATION_URL: &str = "https://openrouter.ai/auth";

/// A PKCE code verifier and its S256 challenge. Make one per sign-in and keep it until the
/// code comes back; the verifier is a secret and is not printed by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct Pkce {
    verifier: String,
    challenge: String,
}

impl fmt::Debug for Pkce {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pkce")
            .field("verifier", &"<redacted>")
            .field("challenge", &self.challenge)
            .finish()
    }
}

impl Pkce {
    /// A fresh verifier: 32 bytes from the operating system's secure random source, written as
    /// 43 URL-safe characters.
    pub fn new() -> Result<Self> {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::Config(format!("no secure random source: {e}")))?;
        Self::from_verifier(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A verifier you made (for example one stored across a redirect): 43 to 128 characters
    /// from `A-Z a-z 0-9 - . _ ~`, as RFC 7636 requires.
    pub fn from_verifier(verifier: impl Into<String>) -> Result<Self> {
        let verifier = verifier.into();
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
        if !(43..=128).contains(&verifier.len()) || !verifier.chars().all(allowed) {
            return Err(Error::InvalidRequest(
                "a PKCE verifier has 43 to 128 characters from A-Z a-z 0-9 - . _ ~".to_owned(),
            ));
        }
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Ok(Self {
            verifier,
            challenge,
        })
    }

    /// The verifier, sent with the code when it is exchanged.
    pub fn verifier(&self) -> &str {
        &self.verifier
    }

    /// The challenge (`BASE64URL(SHA-256(verifier))`), sent in the authorization URL.
    pub fn challenge(&self) -> &str {
        &self.challenge
    }

    /// The URL to send the user to: OpenRouter's authorization page with the callback and
    /// the challenge.
    pub fn authorization_url(&self, callback_url: &str) -> Result<reqwest::Url> {
        self.authorization_url_at(AUTHORIZATION_URL, callback_url)
    }

    /// Like [`authorization_url`](Self::authorization_url), for another authorization page
    /// (a test server, a proxy).
    pub fn authorization_url_at(&self, page: &str, callback_url: &str) -> Result<reqwest::Url> {
        let callback = reqwest::Url::parse(callback_url)
            .map_err(|e| Error::InvalidRequest(format!("callback URL {callback_url:?}: {e}")))?;
        let mut url = reqwest::Url::parse(page)
            .map_err(|e| Error::Config(format!("authorization page {page:?}: {e}")))?;
        url.query_pairs_mut()
            .append_pair("callback_url", callback.as_str())
            .append_pair("code_challenge", &self.challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(url)
    }
}

impl Pkce {
    /// The body of `POST /auth/keys` for the `code` the callback received: the code, this
    /// verifier and the method `S256`.
    pub fn exchange_request(
        &self,
        code: impl Into<String>,
    ) -> crate::types::ExchangeAuthCodeRequest {
        crate::types::ExchangeAuthCodeRequest::new(code)
            .code_verifier(self.verifier.clone())
            .code_challenge_method(Some(crate::types::CodeChallengeMethod::S256))
    }
}
