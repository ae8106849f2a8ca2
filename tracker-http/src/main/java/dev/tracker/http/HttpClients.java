package dev.tracker.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** The OkHttp client's base URL, TLS and credential settings for a tracking server. */
final class HttpClients {
  private HttpClients() {}

  /**
   * The server's base URL: scheme, host, port and path of {@code uri}, ending in '/', without
   * user info, query or fragment; null when it is no http(s) URL. Parsed as OkHttp (and Python's
   * requests) parse URLs, so a host name that {@link URI} leaves without a host, such as Docker
   * Compose's {@code mlflow_server} or an internationalized name, is a host.
   */
  static HttpUrl baseUrl(URI uri) {
    HttpUrl url = HttpUrl.parse(uri.toString());
    if (url == null) {
      return null;
    }
    String path = url.encodedPath().replaceAll("/+$", "");
    return url.newBuilder().username("").password("").query(null).fragment(null)
        .encodedPath(path.isEmpty() ? "/" : path + "/").build();
  }

  /** The user and password in {@code uri}'s user info, decoded; null when it has none. */
  static String[] userInfo(URI uri) {
    HttpUrl url = HttpUrl.parse(uri.toString());
    return url == null || url.username().isEmpty() && url.password().isEmpty() ? null
        : new String[] {url.username(), url.password()};
  }

  /**
   * OkHttp sends a header value only when it holds tab and printable ASCII characters; else
   * each request would fail, on the uploader, with OkHttp's message.
   */
  static void checkHeaderValue(String secret, String name) {
    for (int i = 0; i < secret.length(); i++) {
      char c = secret.charAt(i);
      if ((c < 0x20 && c != '\t') || c > 0x7e) {
        throw new IllegalArgumentException(String.format("%s must hold only printable ASCII"
            + " characters, as an HTTP header does, but holds U+%04X at index %d", name,
            (int) c, i));
      }
    }
  }

  static void tls(boolean insecureTls, Path serverCertPath, OkHttpClient.Builder cb) {
    try {
      X509TrustManager trust = insecureTls ? new TrustAll()
          : serverCertPath != null ? trustOnly(serverCertPath) : null;
      if (trust != null) {
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, new TrustManager[] {trust}, new SecureRandom());
        cb.sslSocketFactory(ssl.getSocketFactory(), trust);
      }
      if (insecureTls) {
        cb.hostnameVerifier((host, session) -> true);
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot set up TLS: " + e.getMessage(), e);
    }
  }

  private static X509TrustManager trustOnly(Path pem) throws GeneralSecurityException {
    Collection<? extends Certificate> certs;
    try {
      certs = Files.isDirectory(pem) ? inFolder(pem) : inFile(pem);
    } catch (IOException | java.security.cert.CertificateException e) {
      throw new IllegalArgumentException("MLFLOW_TRACKING_SERVER_CERT_PATH must name a"
          + " readable PEM file of CA certificates but '" + pem + "' is not one: "
          + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException("MLFLOW_TRACKING_SERVER_CERT_PATH must name a PEM"
          + " file (or folder) of CA certificates but '" + pem + "' holds none");
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      store.load(null, null);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    int i = 0;
    for (Certificate c : certs) {
      store.setCertificateEntry("ca-" + i++, c);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("no X509TrustManager in this JVM");
  }

  /**
   * The certificates of every file in a folder, as Python's requests reads {@code verify=<folder>}
   * (OpenSSL's CA path, such as {@code /etc/ssl/certs}); files that hold none are skipped.
   */
  private static List<Certificate> inFolder(Path folder) throws IOException {
    List<Certificate> certs = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path f : files.sorted().filter(Files::isRegularFile).toList()) {
        try {
          certs.addAll(inFile(f));
        } catch (IOException | java.security.cert.CertificateException notCertificates) {
          // a README, a CRL, a key: not a CA certificate file
        }
      }
    }
    return certs;
  }

  private static Collection<? extends Certificate> inFile(Path pem)
      throws IOException, java.security.cert.CertificateException {
    try (InputStream in = Files.newInputStream(pem)) {
      return CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
  }

  /** Adds the credentials to requests for the tracking server (and no other host). */
  static final class Auth implements Interceptor {
    private final HttpUrl base;
    private final String authorization;

    Auth(HttpUrl base, String authorization) {
      this.base = base;
      this.authorization = authorization;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
      Request request = chain.request();
      HttpUrl url = request.url();
      Request.Builder b = request.newBuilder().header("User-Agent", "tracker-http");
      if (authorization != null && url.scheme().equals(base.scheme())
          && url.host().equals(base.host()) && url.port() == base.port()) {
        b.header("Authorization", authorization);
      }
      return chain.proceed(b.build());
    }

    @Override
    public String toString() {
      return "Auth{" + base + "}";
    }
  }

  /** Trusts every certificate: {@code MLFLOW_TRACKING_INSECURE_TLS=true}. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
