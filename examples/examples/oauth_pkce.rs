//! Sign in with OpenRouter (OAuth PKCE): print the authorization URL, receive the code on a
//! local callback server, exchange it for an API key.
//!
//! `cargo run -p openrouter-examples --example oauth_pkce`, then open the printed URL. Set
//! `OPENROUTER_AUTH_URL` to use another authorization page (a test server) and
//! `OPENROUTER_BASE_URL` for another API.

use openrouter_generated::Client;
use openrouter_generated::oauth::{AUTHORIZATION_URL, Pkce};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // No API key yet: that is what the flow yields.
    let mut builder = Client::builder();
    if let Ok(url) = std::env::var("OPENROUTER_BASE_URL") {
        builder = builder.base_url(url);
    }
    let client = builder.build()?;

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let callback = format!("http://{}/callback", listener.local_addr()?);
    let pkce = Pkce::new()?;
    let page =
        std::env::var("OPENROUTER_AUTH_URL").unwrap_or_else(|_| AUTHORIZATION_URL.to_owned());
    println!(
        "open this URL to sign in:\n{}",
        pkce.authorization_url_at(&page, &callback)?
    );

    // OpenRouter sends the browser back to `callback?code=...`.
    let (mut socket, _) = listener.accept().await?;
    let mut request = vec![0u8; 8192];
    let read = socket.read(&mut request).await?;
    let head = String::from_utf8_lossy(&request[..read]);
    let target = head.split_whitespace().nth(1).unwrap_or_default();
    // Codes are URL-safe text, so the query needs no decoding.
    let code = target
        .split_once('?')
        .map_or("", |(_, query)| query)
        .split('&')
        .find_map(|pair| pair.strip_prefix("code="))
        .filter(|code| !code.is_empty())
        .ok_or_else(|| anyhow::anyhow!("the callback carried no code: {target}"))?
        .to_owned();
    socket
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nconnection: close\r\n\r\nSigned in; you can close this tab.")
        .await?;

    let key = client
        .oauth()
        .exchange_code(pkce.exchange_request(code))
        .send()
        .await?;
    println!(
        "got an API key for user {:?} ({} characters)",
        key.user_id,
        key.key.len()
    );
    Ok(())
}
