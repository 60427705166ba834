//! [`TestApiServer`]: the server on its own thread and tokio runtime, with the calls a test
//! makes on it: its URL and kubeconfig, the requests it recorded, injected faults and proxy
//! backends. Dropping it stops the server.

use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::sync::oneshot;

use crate::faults::{Action, Faults, Matcher, RecordedRequest};
use crate::fixtures::Fixtures;
use crate::handler::{Shared, handle, lock};
use crate::proxy::{Backend, PortRef, ProxyKind};
use crate::store::Store;

/// A read-only Kubernetes API server on 127.0.0.1 that serves fixtures.
pub struct TestApiServer {
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

/// The bearer token of the user in the kubeconfig the server writes; the server accepts any.
pub const TOKEN: &str = "ggcore-test-token";

impl TestApiServer {
    /// Starts a server on a free port of 127.0.0.1.
    ///
    /// # Errors
    ///
    /// Fails when no socket can be bound or the thread cannot start.
    pub fn start(fixtures: Fixtures) -> io::Result<TestApiServer> {
        TestApiServer::start_on(fixtures, SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    /// Starts a server on a chosen loopback address; port 0 picks a free port.
    ///
    /// # Errors
    ///
    /// Fails for an address that is not loopback, when the socket cannot be bound, or when the
    /// thread cannot start.
    pub fn start_on(fixtures: Fixtures, address: SocketAddr) -> io::Result<TestApiServer> {
        if !address.ip().is_loopback() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("address `{address}` is not loopback: the test server listens on 127.0.0.1 or ::1 only")));
        }
        let listener = TcpListener::bind(address)?;
        listener.set_nonblocking(true)?;
        let address = listener.local_addr()?;
        let shared = Arc::new(Shared {
            store: Store::build(&fixtures),
            address,
            faults: Mutex::new(Faults::default()),
            requests: Mutex::new(Vec::new()),
            backends: Mutex::new(Vec::new()),
        });

        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let (stop, stopped) = oneshot::channel();
        let serving = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name(format!("test-apiserver-{}", address.port()))
            .spawn(move || runtime.block_on(serve(listener, serving, stopped)))?;
        Ok(TestApiServer { shared, stop: Some(stop), thread: Some(thread) })
    }

    /// Returns the address the server listens on.
    pub fn address(&self) -> SocketAddr {
        self.shared.address
    }

    /// Returns the server's URL, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.shared.address)
    }

    /// Returns a kubeconfig whose cluster, user and context are all named `context`, with the
    /// cluster at [`url`](Self::url) and a user with the bearer token [`TOKEN`].
    pub fn kubeconfig(&self, context: &str) -> String {
        let name = serde_json::to_string(context).unwrap_or_default();
        let server = serde_json::to_string(&self.url()).unwrap_or_default();
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: {name}\n  cluster:\n    server: {server}\ncontexts:\n- name: {name}\n  context:\n    cluster: {name}\n    user: {name}\ncurrent-context: {name}\nusers:\n- name: {name}\n  user:\n    token: {TOKEN}\npreferences: {{}}\n"
        )
    }

    /// Writes [`kubeconfig`](Self::kubeconfig) to a file.
    ///
    /// # Errors
    ///
    /// Fails when the file cannot be written.
    pub fn write_kubeconfig(&self, path: impl AsRef<Path>, context: &str) -> io::Result<()> {
        std::fs::write(path, self.kubeconfig(context))
    }

    /// Returns every request recorded so far, in the order their responses started.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// Clears the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.requests).clear();
    }

    /// Responds to matching requests with a status code and the `Status` the API server
    /// returns for it. A 403 names the verb, resource and namespace as RBAC words it, and a 500
    /// is an `InternalError`. The first failure added that matches wins.
    pub fn fail(&self, matcher: Matcher, code: u16) {
        lock(&self.shared.faults).add(matcher, Action::Fail(code));
    }

    /// Delays the response to matching requests. Delays that match add up.
    pub fn delay(&self, matcher: Matcher, delay: Duration) {
        lock(&self.shared.faults).add(matcher, Action::Delay(delay));
    }

    /// Removes every injected failure and delay.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Forwards `.../<kind>/<name>:<port>/proxy/<path>` to a loopback backend.
    ///
    /// `kind` is `pod` or `service` (plurals and `svc` too). `port` is a number or a port
    /// name, and a request that uses either form reaches the backend. The port `""` is a
    /// path without a port. The object must be in the fixtures, because the API server
    /// proxies only to objects it has.
    ///
    /// # Panics
    ///
    /// Panics when `kind` is neither pod nor service, or the backend address does not resolve
    /// to a loopback address: a test sends traffic to this machine only.
    pub fn proxy_to(&self, kind: &str, namespace: &str, name: &str, port: impl Into<PortRef>, backend: impl ToSocketAddrs) {
        let kind = ProxyKind::parse(kind).unwrap_or_else(|| panic!("invalid proxy kind `{kind}`: expected `pod` or `service`"));
        let address = backend.to_socket_addrs().ok().and_then(|mut a| a.next()).expect("the backend address must resolve, such as `127.0.0.1:8080`");
        assert!(address.ip().is_loopback(), "backend address `{address}` is not loopback: proxy backends must listen on 127.0.0.1 or ::1");
        let backend = Backend { kind, namespace: namespace.into(), name: name.into(), port: port.into(), address };
        lock(&self.shared.backends).push(backend);
    }
}

impl Drop for TestApiServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Accepts connections until the stop signal arrives. Dropping the runtime afterwards closes
/// the open connections.
async fn serve(listener: TcpListener, shared: Arc<Shared>, mut stopped: oneshot::Receiver<()>) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("test apiserver: cannot listen on {}: {error}", shared.address);
            return;
        }
    };
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        // Out of file descriptors, for example: wait before accepting again.
                        eprintln!("test apiserver on {}: accepting a connection failed: {error}", shared.address);
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |request| handle(Arc::clone(&shared), request));
                    // A client that breaks off mid-request is no error of the server's.
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        }
    }
}
