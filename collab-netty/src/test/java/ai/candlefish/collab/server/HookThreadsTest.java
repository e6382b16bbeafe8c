package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
}
