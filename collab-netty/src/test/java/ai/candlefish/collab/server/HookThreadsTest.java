package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.awareness.AwarenessChange;
import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.testkit.TestTokens;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server with document hooks keeps its documents on the event loops and calls the hooks, which may block, on a pool
 * of their own: the document waits for its hook (the hook has it to itself), the loop serves the other documents.
 */
class HookThreadsTest {
  private static final DocumentKey SLOW = DocumentKey.of("acme", "slow");

  private final Map<String, String> threads = new ConcurrentHashMap<>();
  private final List<String> order = Collections.synchronizedList(new ArrayList<>());
  private final CountDownLatch slowEntered = new CountDownLatch(1);
  private final CountDownLatch slowRelease = new CountDownLatch(1);
  private CollabServer server;

  /** Hooks that note their threads; {@code onLoad} writes into the document, {@code onChange} of SLOW blocks once. */
  private final CollabHooks hooks = new CollabHooks() {
    @Override
    public void onLoad(DocumentKey key, Doc doc) {
      threads.put("onLoad", Thread.currentThread().getName());
      doc.getText("t").insert(0, "loaded;");
    }

    @Override
    public void onChange(DocumentKey key, Doc doc) {
      threads.put("onChange", Thread.currentThread().getName());
      // Blocks once the test's first edit is in (not at the change onLoad made, which may come first: the test's
      // edit would then wait for the hook it waits for).
      if (key.equals(SLOW) && doc.getText("t").toString().contains("A") && slowEntered.getCount() > 0) {
        slowEntered.countDown();
        try {
          slowRelease.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        order.add("onChange returns, seeing " + doc.getText("t"));
      }
    }

    @Override
    public void onStore(DocumentKey key) {
      threads.put("onStore", Thread.currentThread().getName());
    }
  };

  @AfterEach
  void stop() {
    slowRelease.countDown();
    if (server != null) {
      server.close();
    }
  }

  private void start() {
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(new InMemoryDocumentStore())
        .authenticator(TestTokens.TOKENS).storeDebounce(Duration.ofMillis(20)).storeMaxWait(Duration.ofMillis(100))
        .hooks(hooks).build().start();
  }

  @Test
  void documentHooks_runOnTheHooksPool_whileTheDocumentRunsOnItsEventLoop() {
    start();
    try (DocumentHandle handle = server.openDocument(DocumentKey.of("acme", "plans")).join()) {
      // What onLoad wrote is there before anyone reads: the document waited for its hook.
      assertThat(handle.read(doc -> doc.getText("t").toString()).join()).isEqualTo("loaded;");
      assertThat(handle.read(doc -> Thread.currentThread().getName()).join()).startsWith("collab-io");
      handle.edit(txn -> txn.doc().getText("t").insert(7, "edited")).join();
      await().atMost(Duration.ofSeconds(60)).until(() -> threads.containsKey("onChange")
          && threads.containsKey("onStore"));
    }
    assertThat(threads).allSatisfy((hook, thread) -> assertThat(thread).as(hook).startsWith("collab-hooks"));
  }

  @Test
  void aBlockingOnChange_holdsItsDocument_notTheEventLoops() throws Exception {
    start();
    try (DocumentHandle slow = server.openDocument(SLOW).join()) {
      slow.edit(txn -> txn.doc().getText("t").insert(0, "A")).join();
      assertThat(slowEntered.await(60, TimeUnit.SECONDS)).isTrue();
      CompletableFuture<Void> edit = slow.edit(txn -> {
        order.add("edit runs");
        txn.doc().getText("t").insert(0, "B");
      });
      // Every loop serves its other documents meanwhile (more documents than loops: some share SLOW's).
      for (int i = 0; i < 8; i++) {
        try (DocumentHandle other = server.openDocument(DocumentKey.of("acme", "other-" + i)).join()) {
          other.edit(txn -> txn.doc().getText("t").insert(0, "x")).get(30, TimeUnit.SECONDS);
        }
      }
      assertThat(edit).isNotDone();
      slowRelease.countDown();
      edit.get(60, TimeUnit.SECONDS);
      // The hook had the document to itself: the edit queued meanwhile ran after it returned.
      assertThat(order).hasSize(2).last().isEqualTo("edit runs");
      assertThat(order.get(0)).startsWith("onChange returns, seeing ").doesNotContain("B");
    }
  }

  /**
   * What a client makes a document tell a slow hook waits for it merged, not as a queue of calls that grows while the
   * client goes on: the presence changes and the stores that came while the first call was blocked are told by one
   * call each (before, one call per change and per store waited on the hooks' pool).
   */
  @Test
  void callsThatComeWhileASlowHookRuns_waitAsOneMergedCall() throws Exception {
    List<AwarenessChange> changes = new CopyOnWriteArrayList<>();
    AtomicInteger stores = new AtomicInteger();
    server = CollabServer.newBuilder().host("127.0.0.1").port(0).documentStore(new InMemoryDocumentStore())
        .authenticator(TestTokens.TOKENS).hooks(new CollabHooks() {
          @Override
          public void onAwareness(DocumentKey key, AwarenessChange change) {
            changes.add(change);
            blockUntil(slowRelease);
          }

          @Override
          public void onStore(DocumentKey key) {
            stores.incrementAndGet();
            blockUntil(slowRelease);
          }
        }).build().start();
    RawHocuspocusClient client = new RawHocuspocusClient(server.port());
    client.auth("busy", "alice").step1("busy");
    await().atMost(Duration.ofSeconds(30)).until(() -> client.authenticated("busy") == 1);
    Awareness presence = new Awareness(7, System::currentTimeMillis);
    presence.setLocalState(Map.of("n", -1)); // clock 1: y-protocols ignores a clock of 0 from a client it does not know
    client.send("busy", 1, presence.encodeUpdate());
    await().atMost(Duration.ofSeconds(30)).until(() -> changes.size() == 1); // the hooks' calls wait from here
    Doc doc = Doc.create();
    for (int i = 0; i < 20; i++) {
      presence.setLocalState(Map.of("n", i));
      client.send("busy", 1, presence.encodeUpdate());
      doc.getText("t").insert(0, "x");
      client.update("busy", doc.encodeStateAsUpdate());
    }
    // Every update is acknowledged (stored), and the last presence reached another client of the document.
    RawHocuspocusClient watcher = new RawHocuspocusClient(server.port());
    watcher.auth("busy", "bob").step1("busy");
    Awareness seen = new Awareness(8, System::currentTimeMillis);
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      watcher.of("busy", 1).forEach(r -> seen.applyUpdate(new Lib0Decoder(r.body()).readVarUint8Array(), null));
      return client.statuses("busy").size() == 20 && Map.of("n", 19).equals(seen.states().get(7L));
    });
    slowRelease.countDown();
    // One more change, after everything: the hooks run in order, so once it is heard every call before it was made.
    Awareness marker = new Awareness(9, System::currentTimeMillis);
    marker.setLocalState(Map.of("last", true));
    client.send("busy", 1, marker.encodeUpdate());
    await().atMost(Duration.ofSeconds(30)).until(() -> changes.stream().anyMatch(c -> c.added().contains(9L)));
    // The first call, then everything after it in one call, or in two if the marker came once that one had started.
    assertThat(changes).hasSizeBetween(2, 3);
    assertThat(changes.get(0).added()).containsExactly(7L);
    assertThat(changes.get(1).updated()).as("the watcher's own presence: none").containsExactly(7L);
    assertThat(changes.get(changes.size() - 1).added()).containsExactly(9L);
    assertThat(stores.get()).isEqualTo(1);
  }

  private static void blockUntil(CountDownLatch release) {
    try {
      release.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
