package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.server.CollabServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.ssl.SslAutoConfiguration;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * {@code candlefish.collab.ssl.bundle}: the server's TLS from one of Boot's SSL bundles, checked with a real TLS
 * connection. The key store is made at test time with the JDK's {@code keytool}.
 */
class CollabSslBundleTest {
  @TempDir
  static Path dir;
  static Path keyStore;

  @BeforeAll
  static void makeKeyStore() throws Exception {
    keyStore = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "collab", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
        "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost", "-storetype", "PKCS12",
        "-keystore", keyStore.toString(), "-storepass", "changeit").inheritIO().start();
    assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(keytool.exitValue()).isZero();
  }

  private ApplicationContextRunner runner() {
    String location = keyStore.toUri().toString();
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(SslAutoConfiguration.class, CollabAutoConfiguration.class))
        .withPropertyValues("candlefish.collab.port=0", "candlefish.collab.host=127.0.0.1",
            "candlefish.collab.security.mode=development",
            "spring.ssl.bundle.jks.server.keystore.location=" + location,
            "spring.ssl.bundle.jks.server.keystore.password=changeit",
            "spring.ssl.bundle.jks.server.keystore.type=PKCS12",
            // The client trusts the server's own certificate, from the same store.
            "spring.ssl.bundle.jks.client.truststore.location=" + location,
            "spring.ssl.bundle.jks.client.truststore.password=changeit",
            "spring.ssl.bundle.jks.client.truststore.type=PKCS12");
  }

  @Test
  void anSslBundle_servesWss_toClientsThatTrustItsCertificate() {
    runner().withPropertyValues("candlefish.collab.ssl.bundle=server").run(context -> {
      CollabServer server = context.getBean(CollabServer.class);
      assertThat(server.isSecure()).isTrue();
      HttpClient trusting = HttpClient.newBuilder()
          .sslContext(context.getBean(SslBundles.class).getBundle("client").createSslContext()).build();
      URI wss = URI.create("wss://127.0.0.1:" + server.port() + "/doc");
      assertThat(WebSocketProbe.firstAnswer(wss, trusting)).isEqualTo("message");
      // Not over plain ws://, and not to a client that does not trust the certificate.
      assertThatThrownBy(() -> WebSocketProbe.firstAnswer(URI.create("ws://127.0.0.1:" + server.port() + "/doc"),
          trusting)).isNotNull();
      assertThatThrownBy(() -> WebSocketProbe.firstAnswer(wss)).isNotNull();
    });
  }

  @Test
  void theBundlesProtocols_areTheServers() {
    runner().withPropertyValues("candlefish.collab.ssl.bundle=server",
        "spring.ssl.bundle.jks.server.options.enabled-protocols=TLSv1.2").run(context -> {
          CollabServer server = context.getBean(CollabServer.class);
          URI wss = URI.create("wss://127.0.0.1:" + server.port() + "/doc");
          SslBundles bundles = context.getBean(SslBundles.class);
          HttpClient tls13Only = HttpClient.newBuilder().sslContext(bundles.getBundle("client").createSslContext())
              .sslParameters(new javax.net.ssl.SSLParameters(null, new String[] {"TLSv1.3"})).build();
          HttpClient tls12 = HttpClient.newBuilder().sslContext(bundles.getBundle("client").createSslContext())
              .sslParameters(new javax.net.ssl.SSLParameters(null, new String[] {"TLSv1.2"})).build();
          assertThat(WebSocketProbe.firstAnswer(wss, tls12)).isEqualTo("message");
          assertThatThrownBy(() -> WebSocketProbe.firstAnswer(wss, tls13Only)).isNotNull();
        });
  }

  @Test
  void anSslBundleAndPemFiles_together_stopTheApplication() {
    runner().withPropertyValues("candlefish.collab.ssl.bundle=server", "candlefish.collab.tls.certificate=a.pem",
        "candlefish.collab.tls.private-key=b.pem")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("candlefish.collab.ssl.bundle").hasMessageContaining("not both"));
  }

  @Test
  void anUnknownBundle_stopsTheApplication_namingIt() {
    runner().withPropertyValues("candlefish.collab.ssl.bundle=nope")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .hasStackTraceContaining("candlefish.collab.ssl.bundle=nope: there is no SSL bundle of that name"));
  }
}
