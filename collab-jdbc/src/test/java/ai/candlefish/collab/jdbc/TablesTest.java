package ai.candlefish.collab.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.spi.DocumentKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class TablesTest {
  /** The hash is the {@code doc} column of stored rows: it must never change. Values from Python's hashlib. */
  @Test
  void hash_knownKeys_firstEightBytesOfSha256() {
    assertThat(Tables.hash(DocumentKey.of("acme", "doc-1"))).isEqualTo(5294931727825868084L);
    assertThat(Tables.hash(DocumentKey.of("t", "ünïcödé/名前"))).isEqualTo(-8041113161529931199L);
  }

  /** Each thread keeps a digest of its own: keys hashed on many threads at once give the one-thread values. */
  @Test
  void hash_manyThreadsAtOnce_sameAsOneThread() {
    List<DocumentKey> keys = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      keys.add(DocumentKey.of("tenant-" + (i % 7), "document-" + i));
    }
    long[] expected = keys.stream().mapToLong(Tables::hash).toArray();
    List<CompletableFuture<long[]>> runs = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      runs.add(CompletableFuture.supplyAsync(() -> {
        long[] got = new long[keys.size()];
        for (int round = 0; round < 50; round++) {
          for (int i = 0; i < keys.size(); i++) {
            got[i] = Tables.hash(keys.get(i));
          }
        }
        return got;
      }));
    }
    runs.forEach(r -> assertThat(r.join()).containsExactly(expected));
  }
}
