package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.jdbc.JdbcDocumentStore;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.spring.security.JwtAuthenticator;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

/** Every condition of {@link CollabAutoConfiguration}, with real servers on free ports. */
@ExtendWith(OutputCaptureExtension.class)
class CollabAutoConfigurationTest {
  private static final byte[] SECRET = "a 256-bit secret for the test tokens, no more".getBytes();

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CollabAutoConfiguration.class))
      .withPropertyValues("candlefish.collab.port=0", "candlefish.collab.host=127.0.0.1");

  private static URI uri(CollabServer server, String path) {
    return URI.create("ws://127.0.0.1:" + server.port() + path);
  }

  static String token(String subject, String tenant, Object permissions) throws Exception {
    return token(subject, tenant, permissions, null);
  }

  static String token(String subject, String tenant, Object permissions, String audience) throws Exception {
    return token(subject, tenant, permissions, audience, Duration.ofMinutes(1));
  }

  /** A token that expires {@code lifetime} from now. */
  static String token(String subject, String tenant, Object permissions, String audience, Duration lifetime)
      throws Exception {
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject).claim("tenant", tenant)
        .audience(audience).expirationTime(new Date(System.currentTimeMillis() + lifetime.toMillis()));
    if (permissions != null) {
      claims.claim("collab", permissions);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    jwt.sign(new MACSigner(SECRET));
    return jwt.serialize();
  }

  /** A token whose claims are {@code json} exactly as written. */
  static String signed(String json) throws Exception {
    JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(json));
    jws.sign(new MACSigner(SECRET));
    return jws.serialize();
  }

  static JwtDecoder decoder() {
    return NimbusJwtDecoder.withSecretKey(new SecretKeySpec(SECRET, "HmacSHA256")).build();
  }

  @Test
  void withoutAWayToAuthenticate_theApplicationDoesNotStart_andSaysWhatToDo() {
    runner.run(context -> assertThat(context).hasFailed().getFailure().rootCause()
        .hasMessageContaining("JwtDecoder").hasMessageContaining("candlefish.collab.security.mode=development"));
  }

  @Test
  void developmentMode_startsAServerThatLetsEverybodyIn() {
    runner.withPropertyValues("candlefish.collab.security.mode=development").run(context -> {
      CollabServer server = context.getBean(CollabServer.class);
      assertThat(server.isRunning()).isTrue();
      assertThat(context.getBean(DocumentStore.class)).isInstanceOf(InMemoryDocumentStore.class);
      assertThat(WebSocketProbe.firstAnswer(uri(server, "/doc"))).isEqualTo("message");
    });
  }

  @Test
  void theServerStopsWithTheContext() {
    CollabServer[] server = new CollabServer[1];
    runner.withPropertyValues("candlefish.collab.security.mode=development")
        .run(context -> server[0] = context.getBean(CollabServer.class));
    assertThat(server[0].isRunning()).isFalse();
  }

  @Test
  void disabled_meansNoServer() {
    runner.withPropertyValues("candlefish.collab.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(CollabServer.class));
  }

  @Test
  void aJwtDecoderBean_authenticatesClients_withTenantAndPermissionsFromClaims() {
    runner.withBean(JwtDecoder.class, CollabAutoConfigurationTest::decoder).run(context -> {
      assertThat(context.getBean(Authenticator.class)).isInstanceOf(JwtAuthenticator.class);
      CollabServer server = context.getBean(CollabServer.class);
      assertThat(WebSocketProbe.firstAnswer(uri(server, "/plans?token=" + token("ann", "acme", "write"))))
          .isEqualTo("message");
      assertThat(WebSocketProbe.firstAnswer(uri(server, "/plans?token=" + token("ann", "acme",
          Map.of("plans", "read")))))
          .isEqualTo("message");
      assertThat(WebSocketProbe.firstAnswer(uri(server, "/secret?token=" + token("ann", "acme",
          Map.of("plans", "read")))))
          .isEqualTo("close 4403");
      assertThat(WebSocketProbe.firstAnswer(uri(server, "/plans?token=not.a.jwt"))).isEqualTo("close 4401");
      assertThat(WebSocketProbe.firstAnswer(uri(server, "/plans"))).isEqualTo("close 4401");
    });
  }

  @Test
  void jwtClaims_areReadAsDocumented() throws Exception {
    JwtAuthenticator authenticator = new JwtAuthenticator(decoder(), "tenant", "collab");
    ConnectionInfo connection = null;
    Principal all = authenticator.authenticate(token("ann", "acme", "read"), connection);
    assertThat(all.tenant()).isEqualTo("acme");
    assertThat(all.permission(DocumentKey.of("acme", "anything"))).isEqualTo(Permission.READ);
    Principal mixed = authenticator.authenticate(token("bob", "acme", Map.of("a", "write", "*", "read")), connection);
    assertThat(mixed.permission(DocumentKey.of("acme", "a"))).isEqualTo(Permission.WRITE);
    assertThat(mixed.permission(DocumentKey.of("acme", "b"))).isEqualTo(Permission.READ);
    Principal none = authenticator.authenticate(token("eve", "acme", null), connection);
    assertThat(none.permission(DocumentKey.of("acme", "a"))).isEqualTo(Permission.NONE);
  }

  @Test
  void jwtExpiry_becomesThePrincipalsExpiry() throws Exception {
    JwtAuthenticator authenticator = new JwtAuthenticator(decoder(), "tenant", "collab");
    long before = System.currentTimeMillis();
    Principal ann = authenticator.authenticate(token("ann", "acme", "write"), null);
    // token(...) expires 60 s after it is made; exp has whole seconds.
    assertThat(ann.expiresAt().toEpochMilli()).isBetween(before + 59_000, System.currentTimeMillis() + 60_000);
  }

  /**
   * A decoder of the application's own that builds its Jwt without the exp and iat fields (Spring's constructor takes
   * them apart from the claims): its tokens' exp and iat claims still count. Before, such a token never expired: an
   * expired one opened documents, and the session outlived its exp.
   */
  @Test
  void jwtExpiryAndIssueTime_areReadFromTheClaims_whenTheDecoderLeavesTheFieldsNull() {
    Instant exp = Instant.now().plusSeconds(60).truncatedTo(ChronoUnit.SECONDS);
    Instant iat = exp.minusSeconds(600);
    Map<String, Object> claims = Map.of("sub", "ann", "tenant", "acme", "collab", "write", "exp", exp.getEpochSecond(),
        "iat", iat);
    JwtDecoder fieldsLeftNull = token -> new Jwt(token, null, null, Map.of("alg", "HS256"), claims);
    Principal ann = new JwtAuthenticator(fieldsLeftNull, "tenant", "collab").authenticate("t", null);
    assertThat(ann.expiresAt()).isEqualTo(exp);
    assertThat(ann.issuedAt()).isEqualTo(iat);
    // The earlier of field and claim: a decoder cannot stretch a token's life past its signed exp.
    JwtDecoder longerField = token -> new Jwt(token, null, exp.plusSeconds(3600), Map.of("alg", "HS256"), claims);
    assertThat(new JwtAuthenticator(longerField, "tenant", "collab").authenticate("t", null).expiresAt())
        .isEqualTo(exp);
    Map<String, Object> unreadable = new java.util.HashMap<>(claims);
    unreadable.put("exp", "never");
    JwtDecoder wordExp = token -> new Jwt(token, null, null, Map.of("alg", "HS256"), unreadable);
    assertThatThrownBy(() -> new JwtAuthenticator(wordExp, "tenant", "collab").authenticate("t", null))
        .isInstanceOf(AuthenticationException.class).hasMessage("invalid token");
  }

  /** The same decoder behind a server: a token whose exp claim has passed is refused as expired. */
  @Test
  void anExpiredExpClaim_isRefused_whenTheDecoderLeavesTheFieldNull() {
    JwtDecoder fieldsLeftNull = token -> new Jwt(token, null, null, Map.of("alg", "HS256"), Map.of("sub", "ann",
        "tenant", "acme", "collab", "write", "exp", Instant.now().minusSeconds(5).getEpochSecond()));
    runner.withBean(JwtDecoder.class, () -> fieldsLeftNull).run(context -> {
      CollabServer server = context.getBean(CollabServer.class);
      assertThat(WebSocketProbe.firstAnswer(uri(server, "/plans?token=expired"))).isEqualTo("close 4401");
    });
  }

  @Test
  void jwtRefusals_sayOnlyInvalidToken_notWhatTheDecoderFound() throws Exception {
    JwtAuthenticator authenticator = new JwtAuthenticator(decoder(), "tenant", "collab");
    String forged = token("ann", "acme", "write").replaceAll("\\.[^.]*$", ".AAAA");
    for (String token : List.of("not.a.jwt", forged, token("", "acme", "write"), token("ann", "", "write"),
        token("ann", "acme", "admin"),
        // JSON escapes that decode to a lone surrogate (a JSON writer would have written '?' for the raw char)
        signed("{\"sub\":\"ann\\ud800\",\"tenant\":\"acme\",\"collab\":\"write\"}"),
        signed("{\"sub\":\"ann\",\"tenant\":\"acme\\udc00\",\"collab\":\"write\"}"))) {
      assertThatThrownBy(() -> authenticator.authenticate(token, null))
          .isInstanceOf(AuthenticationException.class).hasMessage("invalid token");
    }
  }

  /**
   * A claim that cannot be read as the type it must have refuses the token like any invalid one. Spring's accessors
   * throw IllegalArgumentException ("Unable to convert claim ...") for a value their conversions do not cover: before,
   * the audience was read outside the check that turns that into a refusal, and the authenticator threw it (the
   * server then closed with an internal error and logged it as its own). Values the conversions do cover but that
   * are no audience (an object, a number, a list of objects) do not name the required audience.
   */
  @Test
  void jwtClaimsThatCannotBeRead_refuseTheToken() throws Exception {
    Map<String, Object> claims = Map.of("sub", "ann", "tenant", "acme", "collab", "write", "aud", "collab-server");
    JwtDecoder unreadable = token -> new Jwt(token, null, null, Map.of("alg", "HS256"), claims) {
      @Override
      public List<String> getAudience() {
        throw new IllegalArgumentException("Unable to convert claim 'aud' of type 'class Foo' to List.");
      }
    };
    for (String audience : java.util.Arrays.asList(null, "collab-server")) {
      assertThatThrownBy(() -> new JwtAuthenticator(unreadable, "tenant", "collab", audience).authenticate("t", null))
          .isInstanceOf(AuthenticationException.class).hasMessage("invalid token");
    }
    for (Object aud : List.of(Map.of("collab-server", 1), List.of(Map.of("collab-server", 1)), 7)) {
      Map<String, Object> odd = new java.util.HashMap<>(claims);
      odd.put("aud", aud);
      JwtDecoder passing = token -> new Jwt(token, null, null, Map.of("alg", "HS256"), odd);
      assertThatThrownBy(() -> new JwtAuthenticator(passing, "tenant", "collab", "collab-server").authenticate("t",
          null)).isInstanceOf(AuthenticationException.class).hasMessage("invalid token");
    }
    JwtAuthenticator nimbus = new JwtAuthenticator(decoder(), "tenant", "collab", "collab-server");
    assertThatThrownBy(() -> nimbus.authenticate(signed("{\"sub\":\"ann\",\"tenant\":\"acme\",\"aud\":"
        + "{\"collab-server\":1}}"), null)).isInstanceOf(AuthenticationException.class).hasMessage("invalid token");
  }

  @Test
  void jwtRefusals_logWhatTheDecoderSaid_onOneEscapedLine(CapturedOutput output) {
    // The decoder's message quotes the token (a claim, a header); what an unauthenticated client sends must not
    // start a log line of its own or reach the terminal raw.
    JwtDecoder quoting = token -> {
      throw new BadJwtException("An error occurred while attempting to decode the Jwt: " + token);
    };
    JwtAuthenticator authenticator = new JwtAuthenticator(quoting, "tenant", "collab");
    Logger logger = (Logger) LoggerFactory.getLogger(JwtAuthenticator.class);
    Level level = logger.getLevel();
    logger.setLevel(Level.DEBUG);
    try {
      assertThatThrownBy(() -> authenticator.authenticate("x\r\n2026-12-06 ERROR forged\u001b[2J\u202e", null))
          .isInstanceOf(AuthenticationException.class).hasMessage("invalid token");
    } finally {
      logger.setLevel(level);
    }
    assertThat(output.getOut()).contains("token refused").contains("x\\u000d\\u000a2026-12-06 ERROR forged")
        .doesNotContain("\n2026-12-06 ERROR forged").doesNotContain("\u001b").doesNotContain("\u202e");
  }

  @Test
  void securityAudience_refusesTokensForOtherAudiences() {
    runner.withBean(JwtDecoder.class, CollabAutoConfigurationTest::decoder)
        .withPropertyValues("candlefish.collab.security.audience=collab-server").run(context -> {
          CollabServer server = context.getBean(CollabServer.class);
          assertThat(WebSocketProbe.firstAnswer(uri(server, "/plans?token="
              + token("ann", "acme", "write", "collab-server")))).isEqualTo("message");
          assertThat(WebSocketProbe.firstAnswer(uri(server, "/plans?token="
              + token("ann", "acme", "write", "billing")))).isEqualTo("close 4401");
          assertThat(WebSocketProbe.firstAnswer(uri(server, "/plans?token=" + token("ann", "acme", "write"))))
              .isEqualTo("close 4401");
        });
  }

  /** The status line of an upgrade request with {@code Origin: origin}. */
  private static String upgradeWithOrigin(CollabServer server, String origin) throws Exception {
    return WebSocketProbe.upgradeWithOrigin(server.port(), "/doc", origin);
  }

  @Test
  void allowedOrigins_refuseOtherSitesPages() {
    runner.withPropertyValues("candlefish.collab.security.mode=development",
        "candlefish.collab.allowed-origins=https://app.example.com").run(context -> {
          CollabServer server = context.getBean(CollabServer.class);
          assertThat(upgradeWithOrigin(server, "https://app.example.com")).contains(" 101 ");
          assertThat(upgradeWithOrigin(server, "https://evil.example")).contains(" 403 ");
        });
  }

  @Test
  void inAWebApplication_theOriginDefaultsToItsOwnPages() {
    new WebApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(CollabAutoConfiguration.class))
        .withPropertyValues("candlefish.collab.port=0", "candlefish.collab.host=127.0.0.1",
            "candlefish.collab.security.mode=development", "server.port=8181")
        .run(context -> {
          CollabServer server = context.getBean(CollabServer.class);
          assertThat(upgradeWithOrigin(server, "http://127.0.0.1:8181")).contains(" 101 ");
          assertThat(upgradeWithOrigin(server, "http://evil.example:8181")).contains(" 403 ");
          assertThat(upgradeWithOrigin(server, "http://127.0.0.1:9999")).contains(" 403 ");
        });
    // Not a web application: no page of its own, every origin (set allowed-origins when browsers connect).
    runner.withPropertyValues("candlefish.collab.security.mode=development").run(context ->
        assertThat(upgradeWithOrigin(context.getBean(CollabServer.class), "https://anywhere.example"))
            .contains(" 101 "));
  }

  @Test
  void limitProperties_reachTheServer_andWrongOnesAreNamed() {
    runner.withPropertyValues("candlefish.collab.security.mode=development",
        "candlefish.collab.limits.max-connections-per-address=1").run(context -> {
          CollabServer server = context.getBean(CollabServer.class);
          try (Socket first = new Socket("127.0.0.1", server.port())) {
            // counted first (two sockets at once may be counted in either order, on different event loops)
            await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 1);
            try (Socket second = new Socket("127.0.0.1", server.port())) {
              second.setSoTimeout(10_000);
              assertThat(second.getInputStream().read()).isEqualTo(-1);
            }
          }
        });
    runner.withPropertyValues("candlefish.collab.security.mode=development",
        "candlefish.collab.limits.upgrade-timeout=1ms")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("upgradeTimeout"));
    runner.withPropertyValues("candlefish.collab.security.mode=development",
        "candlefish.collab.allowed-origins=not an origin")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("allowedOrigins"));
  }

  @Test
  void trustedProxies_reachTheServer_andWrongOnesAreNamed() {
    runner.withPropertyValues("candlefish.collab.security.mode=development",
        "candlefish.collab.limits.max-connections-per-address=1", "candlefish.collab.trusted-proxies=127.0.0.1")
        .run(context -> {
          int port = context.getBean(CollabServer.class).port();
          // One connection per address, and two clients behind the proxy on 127.0.0.1: both in.
          try (Socket first = new Socket("127.0.0.1", port); Socket second = new Socket("127.0.0.1", port)) {
            assertThat(WebSocketProbe.upgrade(first, port, "/doc", "X-Forwarded-For: 203.0.113.7")).contains(" 101 ");
            assertThat(WebSocketProbe.upgrade(second, port, "/doc", "X-Forwarded-For: 198.51.100.9"))
                .contains(" 101 ");
          }
        });
    runner.withPropertyValues("candlefish.collab.security.mode=development",
            "candlefish.collab.trusted-proxies=proxy.internal")
        .run(context -> assertThat(context).hasFailed().getFailure()
            .hasStackTraceContaining("candlefish.collab.trusted-proxies")
            .rootCause().hasMessageContaining("'proxy.internal'"));
  }

  @Test
  void withoutSpringSecurityOnTheClassPath_developmentModeStillWorks() {
    runner.withClassLoader(new FilteredClassLoader(JwtDecoder.class))
        .withPropertyValues("candlefish.collab.security.mode=development")
        .run(context -> assertThat(context).hasNotFailed().hasSingleBean(CollabServer.class));
  }

  @Test
  void applicationBeans_replaceOurs_andHooksAndCustomizersArePickedUp() {
    InMemoryDocumentStore store = new InMemoryDocumentStore();
    List<String> heard = new CopyOnWriteArrayList<>();
    runner.withBean(DocumentStore.class, () -> store)
        .withBean(Authenticator.class, () -> (token, connection) -> Principal.of("svc", "t", Permission.WRITE))
        .withBean("first", CollabHooks.class, () -> new CollabHooks() {
          @Override
          public void onConnect(ConnectionInfo connection) {
            heard.add("first");
          }
        })
        .withBean("second", CollabHooks.class, () -> new CollabHooks() {
          @Override
          public void onConnect(ConnectionInfo connection) {
            heard.add("second");
          }
        })
        .withBean(CollabServerBuilderCustomizer.class, () -> b -> b.pathPrefix("/custom"))
        .run(context -> {
          assertThat(context.getBean(DocumentStore.class)).isSameAs(store);
          CollabServer server = context.getBean(CollabServer.class);
          assertThat(WebSocketProbe.firstAnswer(uri(server, "/custom/doc"))).isEqualTo("message");
          assertThat(heard).containsExactlyInAnyOrder("first", "second");
        });
  }

  /**
   * The hook beans reach the server as they are, not as one object that implements every hook: the documents stay
   * on the event loops, a bean's document hook runs on the hooks' pool (before, every starter server ran its
   * documents on a pool of their own, hooks or none: RESULTS.md, "Cluster, round 16").
   */
  @Test
  void hookBeans_leaveTheDocumentsOnTheEventLoops_andTheirDocumentHooksRunOnTheHooksPool() {
    Map<String, String> threads = new ConcurrentHashMap<>();
    runner.withPropertyValues("candlefish.collab.security.mode=development",
            "candlefish.collab.documents.store-debounce=20ms")
        .withBean("totals", CollabHooks.class, () -> new CollabHooks() {
          @Override
          public void onChange(DocumentKey key, Doc doc) {
            threads.put("onChange", Thread.currentThread().getName());
          }
        })
        .withBean("presence", CollabHooks.class, () -> new CollabHooks() {
          @Override
          public void onConnect(ConnectionInfo connection) {}
        })
        .run(context -> {
          CollabServer server = context.getBean(CollabServer.class);
          try (DocumentHandle handle = server.openDocument(DocumentKey.of("dev", "estimate")).join()) {
            assertThat(handle.read(doc -> Thread.currentThread().getName()).join()).startsWith("collab-io");
            handle.edit(txn -> txn.doc().getText("t").insert(0, "room")).join();
            await().atMost(Duration.ofSeconds(60)).until(() -> threads.containsKey("onChange"));
          }
          assertThat(threads.get("onChange")).startsWith("collab-hooks");
        });
  }

  @Test
  void properties_reachTheServer_andWrongOnesStopTheApplicationNamingThem() {
    runner.withPropertyValues("candlefish.collab.security.mode=development", "candlefish.collab.path=/collab")
        .run(context -> assertThat(WebSocketProbe.firstAnswer(uri(context.getBean(CollabServer.class),
            "/collab/doc"))).isEqualTo("message"));
    runner.withPropertyValues("candlefish.collab.security.mode=development", "candlefish.collab.port=70000")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause().hasMessageContaining("port"));
    runner.withPropertyValues("candlefish.collab.security.mode=development",
            "candlefish.collab.documents.store-debounce=20s", "candlefish.collab.documents.store-max-wait=1s")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("candlefish.collab.documents.store-max-wait"));
    runner.withPropertyValues("candlefish.collab.security.mode=development",
            "candlefish.collab.limits.awareness-interval=1h")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("limits.awarenessInterval"));
    runner.withPropertyValues("candlefish.collab.security.mode=development", "candlefish.collab.storage.type=jdbc")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("candlefish.collab.storage.type=jdbc"));
    runner.withPropertyValues("candlefish.collab.security.mode=development",
            "candlefish.collab.tls.certificate=/nonexistent/cert.pem")
        .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
            .hasMessageContaining("private-key"));
  }

  @Test
  void aDataSource_storesDocumentsInIt_acrossRestarts(@TempDir Path dir) {
    ApplicationContextRunner withH2 = runner.withPropertyValues("candlefish.collab.security.mode=development")
        .withBean(DataSource.class, () -> {
          JdbcDataSource h2 = new JdbcDataSource();
          h2.setURL("jdbc:h2:file:" + dir.resolve("collab") + ";MODE=PostgreSQL");
          return h2;
        });
    DocumentKey key = DocumentKey.of("dev", "estimate");
    withH2.run(context -> {
      assertThat(context.getBean(DocumentStore.class)).isInstanceOf(JdbcDocumentStore.class);
      try (var doc = context.getBean(CollabServer.class).openDocument(key).join()) {
        doc.edit(txn -> txn.doc().getText("t").insert(0, "kept")).join();
      }
    }); // closing the context stores every document
    withH2.run(context -> {
      try (var doc = context.getBean(CollabServer.class).openDocument(key).join()) {
        assertThat(doc.read(d -> d.getText("t").toString()).join()).isEqualTo("kept");
      }
    });
  }

  @Test
  void memoryStorage_canBeChosenDespiteADataSource() {
    runner.withPropertyValues("candlefish.collab.security.mode=development", "candlefish.collab.storage.type=memory")
        .withBean(DataSource.class, JdbcDataSource::new)
        .run(context -> assertThat(context.getBean(DocumentStore.class)).isInstanceOf(InMemoryDocumentStore.class));
  }

  @Test
  void aMeterRegistry_getsTheServersMeters() {
    runner.withPropertyValues("candlefish.collab.security.mode=development")
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .run(context -> {
          MeterRegistry registry = context.getBean(MeterRegistry.class);
          assertThat(registry.find("collab.documents.loaded").gauge()).isNotNull();
          WebSocketProbe.firstAnswer(uri(context.getBean(CollabServer.class), "/doc"));
          assertThat(registry.find("collab.connections").tag("protocol", "y-websocket").gauge()).isNotNull();
        });
  }

  @Test
  void theHealthIndicator_isUpWhileTheServerRuns() {
    HealthIndicator[] health = new HealthIndicator[1];
    runner.withPropertyValues("candlefish.collab.security.mode=development").run(context -> {
      health[0] = context.getBean("collabHealthIndicator", HealthIndicator.class);
      var up = health[0].health();
      assertThat(up.getStatus()).isEqualTo(Status.UP);
      assertThat(up.getDetails()).containsEntry("port", context.getBean(CollabServer.class).port());
    });
    assertThat(health[0].health().getStatus()).isEqualTo(Status.DOWN);
  }

  @Test
  void theHealthIndicator_isOff_whenManagementHealthCollabIsDisabled() {
    runner.withPropertyValues("candlefish.collab.security.mode=development", "management.health.collab.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("collabHealthIndicator"));
  }

  @Test
  void theHealthIndicator_isOff_whenManagementHealthDefaultsAreDisabled() {
    runner.withPropertyValues("candlefish.collab.security.mode=development", "management.health.defaults.enabled=false")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("collabHealthIndicator"));
  }

  @Test
  void withoutActuatorOrMicrometer_thereIsNoIndicatorAndNoMeters() {
    runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class, MeterRegistry.class))
        .withPropertyValues("candlefish.collab.security.mode=development")
        .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("collabHealthIndicator")
            .doesNotHaveBean("collabMetrics"));
  }
}
