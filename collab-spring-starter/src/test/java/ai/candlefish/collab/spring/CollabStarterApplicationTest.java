package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.client.ClientDocument;
import ai.candlefish.collab.client.CollabClient;
import ai.candlefish.collab.client.RefusedException;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentKey;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/** A real Spring Boot application with the starter: real clients sync through it with JWTs. */
@SpringBootTest(properties = {"candlefish.collab.port=0", "candlefish.collab.host=127.0.0.1",
    "candlefish.collab.documents.store-debounce=50ms", "candlefish.collab.documents.store-max-wait=200ms"})
class CollabStarterApplicationTest {
  @SpringBootApplication
  static class App {
    static final AtomicInteger changes = new AtomicInteger();

    @Bean
    JwtDecoder jwtDecoder() {
      return CollabAutoConfigurationTest.decoder();
    }

    @Bean
    CollabHooks countChanges() {
      return new CollabHooks() {
        @Override
        public void onChange(DocumentKey key, Doc doc) {
          changes.incrementAndGet();
        }
      };
    }
  }

  @Autowired
  CollabServer server;

  private CollabClient client(String token) {
    return CollabClient.newBuilder().uri(URI.create("ws://127.0.0.1:" + server.port())).token(token).build();
  }

  @Test
  void clientsWithJwts_syncThroughTheApplication_andReadersCannotWrite() throws Exception {
    try (CollabClient alice = client(CollabAutoConfigurationTest.token("alice", "acme", "write"));
        CollabClient bob = client(CollabAutoConfigurationTest.token("bob", "acme", "write"));
        CollabClient reader = client(CollabAutoConfigurationTest.token("rita", "acme",
            Map.of("estimate-1", "read")))) {
      alice.connect().get(10, TimeUnit.SECONDS);
      bob.connect().get(10, TimeUnit.SECONDS);
      reader.connect().get(10, TimeUnit.SECONDS);
      ClientDocument a = alice.open("estimate-1").get(10, TimeUnit.SECONDS);
      ClientDocument b = bob.open("estimate-1").get(10, TimeUnit.SECONDS);
      ClientDocument r = reader.open("estimate-1").get(10, TimeUnit.SECONDS);

      a.edit(txn -> txn.doc().getText("notes").insert(0, "two coats")).get(10, TimeUnit.SECONDS);
      b.edit(txn -> txn.doc().getText("notes").insert(0, "walls: ")).get(10, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(10)).until(() -> text(a).equals(text(b)) && text(b).equals(text(r))
          && text(a).length() == "walls: two coats".length());

      assertThat(r.readOnly()).isTrue();
      assertThatThrownBy(() -> r.edit(txn -> txn.doc().getText("notes").insert(0, "vandal")).get(10,
          TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(RefusedException.class);

      try (var handle = server.openDocument(DocumentKey.of("acme", "estimate-1")).get(10, TimeUnit.SECONDS)) {
        assertThat(handle.read(doc -> doc.getText("notes").toString()).get(10, TimeUnit.SECONDS))
            .isEqualTo(text(a)).doesNotContain("vandal");
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> App.changes.get() > 0);
    }
  }

  private static String text(ClientDocument document) {
    synchronized (document.doc()) {
      return document.doc().getText("notes").toString();
    }
  }
}
