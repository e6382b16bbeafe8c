package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attacks by clients that hold a valid token, over real sockets: each is answered as documented (the attacker is
 * closed with its close code, or what it tried has no effect), and the other clients carry on.
 */
class HostileClientsTest {
  private final InMemoryDocumentStore memory = new InMemoryDocumentStore();
  private final List<YClient> clients = new ArrayList<>();
  private CollabServer server;

  private CollabServer start(UnaryOperator<CollabServer.Builder> settings) {
    server = settings.apply(CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(memory)
        .authenticator(TestTokens.TOKENS).storeDebounce(Duration.ofMillis(20)).storeMaxWait(Duration.ofMillis(100))
        .unloadDelay(Duration.ofMillis(50))).build().start();
    return server;
  }

  private URI uri(String document, String token) {
    return URI.create("ws://127.0.0.1:" + server.port() + "/" + document + (token == null ? "" : "?token=" + token));
  }

  private YClient connect(String document, String token) {
    YClient client = YClient.connect(uri(document, token));
    clients.add(client);
    return client;
  }

  /** A y-websocket awareness message. */
  private static byte[] awarenessFrame(byte[] update) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(1);
    out.writeVarUint8Array(update);
    return out.toByteArray();
  }

  /** An awareness update that claims client {@code client}'s presence, with a clock far ahead. */
  private static byte[] forged(long client, Object state) {
    Awareness forger = new Awareness(client, () -> 0);
    for (int i = 0; i < 100; i++) {
      forger.setLocalState(Map.of("i", i));
    }
    forger.setLocalState(state);
    return forger.encodeUpdate();
  }

  @AfterEach
  void stop() {
    clients.forEach(YClient::close);
    if (server != null) {
      server.close();
    }
  }

  @Test
  void presence_ofAnotherPrincipal_cannotBeOverwrittenOrRemoved() {
    start(b -> b);
    YClient alice = connect("plans", "alice");
    alice.awaitSynced();
    alice.awareness.setLocalState(Map.of("name", "Alice"));
    alice.send(awarenessFrame(alice.awareness.encodeUpdate()));
    long aliceId = alice.awareness.clientId();
    YClient bob = connect("plans", "bob");
    await().untilAsserted(() -> assertThat(bob.awareness.states()).containsEntry(aliceId, Map.of("name", "Alice")));

    for (String token : List.of("reader", "carol")) {
      YClient mallory = connect("plans", token);
      mallory.awaitSynced();
      mallory.send(awarenessFrame(forged(aliceId, Map.of("name", "Mallory"))));
      mallory.send(awarenessFrame(forged(aliceId, null)));
      // Its own presence, sent after: once the others see it, the forgeries before it were handled.
      mallory.awareness.setLocalState(Map.of("name", token));
      mallory.send(awarenessFrame(mallory.awareness.encodeUpdate()));
      long malloryId = mallory.awareness.clientId();
      await().untilAsserted(() -> assertThat(bob.awareness.states()).containsKey(malloryId));
      assertThat(bob.awareness.states()).containsEntry(aliceId, Map.of("name", "Alice"));
      assertThat(alice.awareness.states()).containsEntry(malloryId, Map.of("name", token));
      assertThat(mallory.closed).isNotDone();
    }
  }

  @Test
  void presence_ofTheSamePrincipal_mayBeTakenOverByItsOtherConnection() {
    start(b -> b);
    YClient tab = connect("plans", "alice");
    tab.awaitSynced();
    tab.awareness.setLocalState(Map.of("name", "Alice"));
    tab.send(awarenessFrame(tab.awareness.encodeUpdate()));
    long id = tab.awareness.clientId();
    YClient bob = connect("plans", "bob");
    await().untilAsserted(() -> assertThat(bob.awareness.states()).containsEntry(id, Map.of("name", "Alice")));

    // A reconnect of the same user whose old connection is not closed yet keeps its Yjs client id.
    YClient reconnected = connect("plans", "alice");
    reconnected.awaitSynced();
    reconnected.send(awarenessFrame(forged(id, Map.of("name", "Alice again"))));
    await().untilAsserted(() -> assertThat(bob.awareness.states()).containsEntry(id, Map.of("name", "Alice again")));
  }
}
