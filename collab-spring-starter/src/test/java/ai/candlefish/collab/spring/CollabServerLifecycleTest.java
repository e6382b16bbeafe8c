package ai.candlefish.collab.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.spi.DocumentStore;
import ai.candlefish.collab.spi.InMemoryDocumentStore;
import ai.candlefish.collab.spi.StoredDocument;
import ai.candlefish.collab.spring.internal.CollabServerLifecycle;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerGracefulShutdownLifecycle;

/** Starting and draining the server with the application context. */
@ExtendWith(OutputCaptureExtension.class)
class CollabServerLifecycleTest {
  private static final DocumentKey KEY = DocumentKey.of("dev", "estimate-1");

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(CollabAutoConfiguration.class))
      .withPropertyValues("candlefish.collab.port=0", "candlefish.collab.host=127.0.0.1",
          "candlefish.collab.security.mode=development");

  /** Stores in memory once the test opens the gate. */
  static final class GatedStore implements DocumentStore {
    final InMemoryDocumentStore stored = new InMemoryDocumentStore();
    final CountDownLatch gate = new CountDownLatch(1);

    private void await() {
      try {
        gate.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    @Override
    public StoredDocument load(DocumentKey key) {
      return stored.load(key);
    }

    @Override
    public void append(DocumentKey key, byte[] update) {
      await();
      stored.append(key, update);
    }

    @Override
    public void replace(DocumentKey key, byte[] state) {
      await();
      stored.replace(key, state);
    }

    @Override
    public void delete(DocumentKey key) {
      stored.delete(key);
    }
  }

  @Test
  void stopWithCallback_drainsOnAThreadOfItsOwn_andCallsBackOnceEveryDocumentIsStored() {
    GatedStore store = new GatedStore();
    runner.withBean(DocumentStore.class, () -> store)
        .withPropertyValues("candlefish.collab.documents.store-debounce=10m",
            "candlefish.collab.documents.store-max-wait=10m", "spring.lifecycle.timeout-per-shutdown-phase=60s")
        .run(context -> {
          CollabServer server = context.getBean(CollabServer.class);
          try (DocumentHandle doc = server.openDocument(KEY).get(10, TimeUnit.SECONDS)) {
            doc.edit(txn -> txn.doc().getText("notes").insert(0, "two coats")).get(10, TimeUnit.SECONDS);
          }
          CollabServerLifecycle lifecycle = context.getBean(CollabServerLifecycle.class);
          AtomicBoolean drained = new AtomicBoolean();

          lifecycle.stop(() -> drained.set(true));

          // The caller is free while the store still holds the last change.
          assertThat(drained).isFalse();
          assertThat(lifecycle.isRunning()).isFalse();
          assertThat(store.stored.keys()).doesNotContain(KEY);
          store.gate.countDown();
          await().atMost(Duration.ofSeconds(60)).untilTrue(drained);
          assertThat(store.stored.keys()).contains(KEY);
          assertThat(server.isRunning()).isFalse();
        });
  }

  @Test
  void theDrain_isBoundedByTheShutdownPhaseTimeout_andSaysSo(CapturedOutput output) {
    runner.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=7s").run(context -> {
      AtomicBoolean drained = new AtomicBoolean();
      context.getBean(CollabServerLifecycle.class).stop(() -> drained.set(true));
      await().atMost(Duration.ofSeconds(60)).untilTrue(drained);
    });
    assertThat(output).contains("collab server draining: storing every document (at most PT7S, "
        + "spring.lifecycle.timeout-per-shutdown-phase)");
  }

  @Test
  void thePhase_isTheWebServersGracefulShutdownPhase() {
    runner.run(context -> assertThat(context.getBean(CollabServerLifecycle.class).getPhase())
        .isEqualTo(WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE));
  }

  @Test
  void start_logsOneSummaryLine_withoutSecrets(CapturedOutput output) {
    runner.withPropertyValues("candlefish.collab.path=/collab").run(context -> {
      int port = context.getBean(CollabServer.class).port();
      assertThat(output).containsOnlyOnce("collab server ready on ws://127.0.0.1:" + port + "/collab; protocols "
          + "y-websocket, hocuspocus, collab/1; storage memory; auth development (everybody writes in tenant dev); "
          + "cluster off");
    });
  }
}
