package ai.candlefish.collab.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class InMemoryDocumentStoreTest {
  private static final DocumentKey KEY = DocumentKey.of("acme", "plans");
  private final InMemoryDocumentStore store = new InMemoryDocumentStore();

  @Test
  void load_ofAnUnknownDocument_isEmpty() {
    assertThat(store.load(KEY).isEmpty()).isTrue();
  }

  @Test
  void append_thenLoad_inOrder_andCopied() {
    byte[] first = {1, 2};
    store.append(KEY, first);
    store.append(KEY, new byte[] {3});
    first[0] = 9;
    StoredDocument loaded = store.load(KEY);
    assertThat(loaded.updates()).containsExactly(new byte[] {1, 2}, new byte[] {3});
    assertThat(loaded.byteSize()).isEqualTo(3);
    loaded.updates().get(0)[0] = 7;
    assertThat(store.load(KEY).updates().get(0)).containsExactly(1, 2);
  }

  @Test
  void replace_leavesOnlyTheState_andDeleteRemoves() {
    store.append(KEY, new byte[] {1});
    store.append(KEY, new byte[] {2});
    store.replace(KEY, new byte[] {3});
    assertThat(store.load(KEY).updates()).containsExactly(new byte[] {3});
    store.delete(KEY);
    assertThat(store.load(KEY).isEmpty()).isTrue();
    assertThat(store.keys()).isEmpty();
  }

  @Test
  void tenants_areSeparate() {
    store.append(KEY, new byte[] {1});
    assertThat(store.load(DocumentKey.of("evil", "plans")).isEmpty()).isTrue();
  }

  @Test
  void append_fromManyThreads_losesNothing() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        done.add(pool.submit(() -> {
          for (int i = 0; i < 500; i++) {
            store.append(KEY, new byte[] {(byte) i});
            store.load(KEY);
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(store.load(KEY).updateCount()).isEqualTo(2000);
  }

  @Test
  void claimClient_firstClaimWins_keptUntilDelete() {
    assertThat(store.loadClientOwners(KEY)).isEmpty();
    assertThat(store.claimClient(KEY, 42, "alice")).isEqualTo("alice");
    assertThat(store.claimClient(KEY, 42, "mallory")).isEqualTo("alice");
    assertThat(store.claimClient(KEY, 7, "bob")).isEqualTo("bob");
    assertThat(store.claimClient(DocumentKey.of("acme", "other"), 42, "mallory")).isEqualTo("mallory");
    assertThat(store.loadClientOwners(KEY)).isEqualTo(java.util.Map.of(42L, "alice", 7L, "bob"));
    store.delete(KEY);
    assertThat(store.loadClientOwners(KEY)).isEmpty();
  }

  @Test
  void claimClients_claimsEachAsClaimClientWould() {
    store.claimClient(KEY, 42, "mallory");
    assertThat(store.claimClients(KEY, java.util.List.of(42L, 7L), "alice"))
        .isEqualTo(java.util.Map.of(42L, "mallory", 7L, "alice"));
    assertThat(store.loadClientOwners(KEY)).isEqualTo(java.util.Map.of(42L, "mallory", 7L, "alice"));
  }
}
