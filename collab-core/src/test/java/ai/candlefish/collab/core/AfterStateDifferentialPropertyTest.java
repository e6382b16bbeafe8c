package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Differential test against real Yjs of {@link Transaction#afterState()} on a document without transaction
 * listeners, where it is worked out on request instead of copied when each cleanup begins: an observer of the text
 * writes into the map while a remote transaction's cleanup runs (a transaction of its own, queued after it), and
 * afterState is read before or after that write (the array's and the map's observers, as the types changed) and
 * after it (the update event), for remote and local transactions. Three clients edit at random (formatting included, so
 * that remote transactions also clean up formatting, which reads afterState too); their updates reach a Java
 * document and its Yjs twin in the same shuffled batches, one transaction each, between local edits of the
 * target. After every step the logs and the update events must be Yjs's, and at the end the encoded state.
 *
 * <p>Seeded and bounded in time; a failure names its seed: rerun it with {@code -Dafterstate.diff.seed=<seed>
 * -Dafterstate.diff.runs=1}.
 */
@ExtendWith(YjsPeerExtension.class)
class AfterStateDifferentialPropertyTest {
  private static final int RUNS = 30;
  private static final long BUDGET_MILLIS = 10_000;

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void observersWritingDuringCleanup_seeTheAfterStateYjsSees() {
    SeededRuns.named("afterstate.diff", 0xAF7E5L, RUNS).within(BUDGET_MILLIS)
        .forEach((seed, run) -> new Run(seed, "as" + run).execute());
  }

  private static final class Run {
    private final SplittableRandom rnd;
    private final String id;
    private final RandomEdits edits;

    Run(long seed, String id) {
      this.rnd = new SplittableRandom(seed);
      this.id = id;
      this.edits = new RandomEdits(rnd);
    }

    void execute() {
      boolean gc = rnd.nextBoolean();
      List<Doc> clients = new ArrayList<>();
      List<byte[]> updates = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Doc d = Doc.newBuilder().clientId(10 + i).gc(gc).build();
        d.getText("t");
        d.getArray("a");
        d.getMap("m");
        d.onUpdate((u, origin, txn) -> {
          if (txn.isLocal()) {
            updates.add(u.clone());
          }
        });
        clients.add(d);
      }
      Doc target = Doc.newBuilder().clientId(1).gc(gc).build();
      List<byte[]> events = new ArrayList<>();
      target.onUpdate((u, origin, txn) -> events.add(u.clone()));
      List<Object> log = writeOnRemote(target);
      peer.newDoc(id, 1, gc, TwinReplica.ROOTS);
      peer.request(command("writeOnRemote"));
      try {
        for (int step = 0; step < 12; step++) {
          for (int k = 1 + rnd.nextInt(6); k > 0; k--) {
            Doc d = clients.get(rnd.nextInt(clients.size()));
            if (rnd.nextInt(4) == 0) {
              Doc other = clients.get(rnd.nextInt(clients.size()));
              d.applyUpdate(other.encodeStateAsUpdate(d.encodeStateVector()));
            }
            YjsInterop.apply(d, edits.randomOp(d));
          }
          List<byte[]> batch = new ArrayList<>(updates);
          updates.clear();
          SeededRuns.shuffle(batch, rnd);
          target.transact(txn -> batch.forEach(target::applyUpdate));
          peer.applyUpdatesInOneTransaction(id, batch);
          if (rnd.nextInt(3) == 0) {
            Map<String, Object> op = edits.randomOp(target);
            YjsInterop.apply(target, op);
            peer.apply(id, op);
          }
          String what = id + " step " + step;
          TwinReplica.assertSameEvents(what, events, peer.updates(id));
          events.clear();
          assertThat(normalized(log)).as("afterState as observers and update listeners saw it, %s", what)
              .isEqualTo(normalized(YjsInterop.asMap(peer.request(command("log"))).get("log")));
          log.clear();
        }
        assertThat(YjsInterop.base64(target.encodeStateAsUpdate())).as("encoded state")
            .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, null)));
      } finally {
        peer.drop(id);
      }
    }

    private Map<String, Object> command(String op) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("op", op);
      c.put("id", id);
      return c;
    }

  }

  /** What peer-surface.mjs's writeOnRemote sets up, on a Java document; returns its log. */
  private static List<Object> writeOnRemote(Doc doc) {
    List<Object> log = new ArrayList<>();
    YText t = doc.getText("t");
    t.observe(e -> {
      log.add(List.of("t", e.transaction().isLocal())); // no afterState here: the first read keeps it
      if (!e.transaction().isLocal()) {
        doc.getMap("m").set("seen", t.length());
      }
    });
    doc.getArray("a").observe(e -> log.add(List.of("a", e.transaction().isLocal(),
        stateVector(e.transaction().afterState()))));
    doc.getMap("m").observe(e -> log.add(List.of("m", e.transaction().isLocal(),
        stateVector(e.transaction().afterState()))));
    doc.onUpdate((u, origin, txn) -> log.add(List.of("update", txn.isLocal(), stateVector(txn.afterState()))));
    return log;
  }

  /** [[client, clock]...] sorted by client, as peer-surface.mjs's sv() writes it. */
  private static List<Object> stateVector(StateVector sv) {
    List<Object> out = new ArrayList<>();
    sv.toMap().entrySet().stream().filter(e -> e.getValue() > 0).sorted(Map.Entry.comparingByKey())
        .forEach(e -> out.add(List.of(e.getKey(), (long) e.getValue())));
    return out;
  }

  /** Numbers as longs, so that values parsed from the peer's JSON compare equal to Java's. */
  private static Object normalized(Object o) {
    if (o instanceof List<?> list) {
      return list.stream().map(AfterStateDifferentialPropertyTest::normalized).toList();
    }
    return o instanceof Number n ? (Object) n.longValue() : o;
  }
}
