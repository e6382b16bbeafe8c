package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import ai.candlefish.collab.spi.AuthenticationException;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.ConnectionInfo;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.Permission;
import ai.candlefish.collab.spi.Principal;
import ai.candlefish.collab.sync.SyncMessage;
import ai.candlefish.collab.sync.SyncProtocol;
import io.netty.channel.EventLoop;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The multi-document session logic with exact Hocuspocus frames from a raw JDK WebSocket, for orderings that a real
 * provider produces only by chance: a document closed and reopened while its first token is still being checked,
 * a refused token followed at once by a good one, an invalid document name beside a good document. A token
 * "slow..." is held by the authenticator until the test lets it through, so that what the client sent meanwhile is
 * known to have been read (a stateless message on another document, heard by the hook, marks that point).
 */
class HocuspocusSessionTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private final BlockingQueue<String> stateless = new LinkedBlockingQueue<>();
  private final List<RawHocuspocusClient> clients = new ArrayList<>();
  private CollabServer server;

  private final Authenticator tokens = (token, connection) -> {
    if (token != null && token.startsWith("slow")) {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      token = token.substring(4);
    }
    if ("alice".equals(token)) {
      return Principal.of(token, "acme", Permission.WRITE);
    }
    throw new AuthenticationException("unknown token");
  };

  @BeforeEach
  void start() {
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).authenticator(tokens)
        .hooks(new CollabHooks() {
          @Override
          public void onStateless(DocumentKey key, ConnectionInfo connection, Principal principal,
              Permission permission, String payload) {
            stateless.add(key.name() + ":" + payload);
          }
        })
        .storeDebounce(Duration.ofMillis(10)).storeMaxWait(Duration.ofMillis(50)).build().start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    clients.forEach(c -> c.socket.abort());
    server.close();
  }

  private static byte[] insert(String text) {
    Doc doc = Doc.create();
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((u, origin, txn) -> updates.add(u));
    doc.getText("t").insert(0, text);
    return updates.get(0);
  }

  private String text(String document) {
    try (DocumentHandle handle = server.openDocument(DocumentKey.of("acme", document)).join()) {
      return handle.read(d -> d.getText("t").toString()).join();
    }
  }

  /** Waits until the server has read everything {@code client} sent so far (it handles one socket in order). */
  private void barrier(RawHocuspocusClient client, String openDocument) throws InterruptedException {
    String marker = "barrier-" + System.nanoTime();
    client.stateless(openDocument, marker);
    for (String s; (s = stateless.poll(30, TimeUnit.SECONDS)) != null; ) {
      if (s.equals(openDocument + ":" + marker)) {
        return;
      }
    }
    throw new AssertionError("the server never heard " + marker);
  }

  private RawHocuspocusClient client() {
    RawHocuspocusClient client = new RawHocuspocusClient(server.port());
    clients.add(client);
    return client;
  }

  private RawHocuspocusClient withOpenDocument(String document) {
    RawHocuspocusClient client = client();
    client.auth(document, "alice").step1(document);
    await().atMost(Duration.ofSeconds(30)).until(() -> client.authenticated(document) == 1);
    return client;
  }

  @Test
  void firstMessage_movesTheConnectionToItsDocumentsEventLoop_withWhatFollowsIt_inOrder() {
    server.close();
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).authenticator(tokens).threads(4, 0, 4)
        .storeDebounce(Duration.ofMillis(10)).storeMaxWait(Duration.ofMillis(50)).build().start();
    List<RawHocuspocusClient> writers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      // The token, the sync and an update at once: what the server reads with the token waits for the move.
      writers.add(client().auth("plans", "alice").step1("plans").update("plans", insert("w" + i)));
    }
    RawHocuspocusClient other = client().auth("notes", "alice").step1("notes").update("notes", insert("n"));
    for (RawHocuspocusClient c : writers) {
      await().atMost(Duration.ofSeconds(30)).until(() -> c.statuses("plans").equals(List.of(1)));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> other.statuses("notes").equals(List.of(1)));

    // Accepted round-robin on 4 loops: each is now on its first document's.
    EventLoop plans = server.runtime().homeLoop("plans");
    EventLoop notes = server.runtime().homeLoop("notes");
    List<EventLoop> loops = server.runtime().channels().stream().map(c -> c.eventLoop()).toList();
    assertThat(loops).hasSize(7).containsOnly(plans, notes);
    assertThat(loops.stream().filter(l -> l == notes).count()).isEqualTo(plans == notes ? 7 : 1);
    assertThat(text("plans")).hasSize(12);
    assertThat(text("notes")).isEqualTo("n");
    // The moved connections relay: a document opened later on another loop still works.
    writers.get(0).auth("notes", "alice").step1("notes");
    await().atMost(Duration.ofSeconds(30)).until(() -> writers.get(0).authenticated("notes") == 1);
    other.update("notes", insert("m"));
    await().atMost(Duration.ofSeconds(30)).until(() -> writers.get(0).of("notes", 0).stream()
        .anyMatch(r -> r.firstVarUint() == SyncMessage.UPDATE));
    assertThat(writers).allSatisfy(c -> assertThat(c.closed).isNotDone());
  }

  @Test
  void documentClosedAndReopened_whileItsTokenIsChecked_isOpenAfterwards() throws InterruptedException {
    RawHocuspocusClient client = withOpenDocument("other");
    client.auth("doc", "slowalice").step1("doc").close("doc").auth("doc", "slowalice").step1("doc");
    barrier(client, "other");
    release.countDown();

    await().atMost(Duration.ofSeconds(30)).until(() -> client.authenticated("doc") == 2);
    client.update("doc", insert("reopened"));
    await().atMost(Duration.ofSeconds(30)).until(() -> client.statuses("doc").equals(List.of(1)));
    assertThat(text("doc")).isEqualTo("reopened");
    assertThat(client.closed).isNotDone();
  }

  @Test
  void documentClosedAndReopened_beforeAnyTokenIsAccepted_isOpenAfterwards() throws InterruptedException {
    RawHocuspocusClient client = client();
    client.auth("doc", "slowalice").step1("doc").close("doc").auth("doc", "slowalice").step1("doc");
    // No document is open to mark the point; the reopened document's own stateless message, heard by the hook,
    // shows that it was answered in order after the close.
    client.stateless("doc", "after");
    release.countDown();
    assertThat(stateless.poll(30, TimeUnit.SECONDS)).isEqualTo("doc:after");
    await().atMost(Duration.ofSeconds(30)).until(() -> client.authenticated("doc") == 2);
    client.update("doc", insert("reopened"));
    await().atMost(Duration.ofSeconds(30)).until(() -> client.statuses("doc").equals(List.of(1)));
  }

  @Test
  void refusedToken_dropsWhatWasSentUnderIt_butTheNextTokenStartsOver() throws InterruptedException {
    RawHocuspocusClient client = withOpenDocument("other");
    client.auth("doc", "slowmallory").update("doc", insert("vandal ")).auth("doc", "alice")
        .update("doc", insert("welcome"));
    barrier(client, "other");
    release.countDown();

    await().atMost(Duration.ofSeconds(30)).until(() -> client.statuses("doc").equals(List.of(1)));
    assertThat(client.denied("doc")).containsExactly("unknown token");
    assertThat(client.authenticated("doc")).isEqualTo(1);
    assertThat(text("doc")).isEqualTo("welcome");
  }

  @Test
  void invalidDocumentName_isRefusedAlone_theConnectionStays() {
    RawHocuspocusClient client = withOpenDocument("other");
    String tooLong = "x".repeat(DocumentKey.MAX_NAME_LENGTH + 1);
    client.auth(tooLong, "alice").auth("bell\u0007", "alice");
    await().atMost(Duration.ofSeconds(30)).until(() -> client.denied("bell\u0007").size() == 1);
    assertThat(client.denied(tooLong)).containsExactly("invalid document name");
    client.update("other", insert("still here"));
    await().atMost(Duration.ofSeconds(30)).until(() -> client.statuses("other").equals(List.of(1)));
    assertThat(client.closed).isNotDone();
  }

  @Test
  void step1AskedAgain_getsOurStep1Too_soThatTheProvidersAnswerIsAcknowledged() {
    RawHocuspocusClient client = withOpenDocument("doc");
    await().atMost(Duration.ofSeconds(30)).until(() -> client.of("doc", 0).size() == 2); // our step 1 and step 2
    client.step1("doc");
    await().atMost(Duration.ofSeconds(30)).until(() -> client.of("doc", 0).size() == 4);
    assertThat(client.of("doc", 0).stream().map(RawHocuspocusClient.Received::firstVarUint).toList())
        .containsExactly(SyncMessage.STEP1, SyncMessage.STEP2, SyncMessage.STEP2, SyncMessage.STEP1);
    client.send("doc", 0, SyncMessage.STEP2, SyncProtocol.step2(Doc.create(), new byte[] {0}).update());
    await().atMost(Duration.ofSeconds(30)).until(() -> client.statuses("doc").equals(List.of(1)));
  }
}
