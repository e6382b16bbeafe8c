package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.internal.codec.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Differential test of snapshots and {@link PermanentUserData} against real Yjs ({@code snapshot-ops.mjs}):
 * random sessions of several replicas, each shadowed by a Yjs twin with the same client id that performs the same
 * edits and receives the same updates (Yjs's bytes for the Java replica, the Java replica's for the twin, in random
 * order). Half of the sessions map every client to a user with {@code PermanentUserData} (two clients may share a
 * user, so that both create its entry concurrently); in half of them each replica has an {@link UndoManager} over
 * its roots that undoes and redoes between snapshots (local steps, and for some replicas remote ones too), so that
 * snapshots read items that undo deleted and re-created.
 * Along the way and after a full sync:
 *
 * <ul>
 *   <li>{@link Snapshot#of} encodes to Yjs's {@code encodeSnapshot} bytes, and decoding them re-encodes them;
 *   <li>{@link YText#toDelta(Snapshot, Snapshot, YText.YChangeFunction)} equals Yjs's {@code toDelta} for random
 *       pairs of snapshots (or none), with no function, {@code {user: client}} and the users of
 *       {@code PermanentUserData}; array and map values at a snapshot equal Yjs's;
 *   <li>{@link Snapshot#toDoc} gives the bytes and content of Yjs's {@code createDocFromSnapshot};
 *   <li>{@link Snapshot#equals} and {@link Snapshot#containsUpdate} answer as Yjs's {@code equalSnapshots} and
 *       {@code snapshotContainsUpdate}; {@code PermanentUserData} names the same users;
 *   <li>every update event (including those PermanentUserData and undo write) is Yjs's, byte for byte, undo and
 *       redo change something when Yjs's do, and reading at a snapshot leaves the document's bytes unchanged.
 * </ul>
 *
 * <p>Seeded and bounded in time. A failure names its seed; rerun it alone with {@code -Dyjs.snap.seed=<seed>
 * -Dyjs.snap.runs=1}; explore longer with {@code -Dyjs.snap.budgetMillis=<ms>}.
 */
@ExtendWith(YjsPeerExtension.class)
class SnapshotDifferentialPropertyTest {
  private static final int RUNS = 120;
  private static final long BUDGET_MILLIS = 10_000;
  private static final Map<String, String> ROOTS = TwinReplica.ROOTS;
  private static final List<String> YCHANGE_MODES = List.of("none", "client", "pud");

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void randomSessions_snapshotsAgreeWithYjs() {
    SeededRuns.named("yjs.snap", 0x5_1AB_5L, RUNS).within(BUDGET_MILLIS)
        .forEach((seed, run) -> new Run(seed, "s" + run).execute());
    System.out.printf("SnapshotDifferentialPropertyTest: %d snapshot reads compared%n", compared);
  }

  /** How many toDelta / value comparisons ran (printed, to see that the runs did something). */
  private static int compared;

  @Test
  void emptySnapshot_isYjsEmptySnapshot() {
    byte[] yjs = YjsInterop.fromBase64(peer.request(command("emptySnapshot")).get("snapshot"));
    assertThat(Snapshot.empty().encode()).isEqualTo(yjs);
    assertThat(Snapshot.decode(yjs)).isEqualTo(Snapshot.empty());
    assertThat(Snapshot.empty().encodeV2()).isEqualTo(yjs); // two empty counts, the same in both formats
    assertThat(Snapshot.decodeV2(yjs)).isEqualTo(Snapshot.empty());
  }

  private static Map<String, Object> command(String op) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", op);
    return c;
  }

  private static final class Run {
    private final SplittableRandom rnd;
    private final RandomEdits edits;
    private final String prefix;
    private final List<TwinReplica> replicas = new ArrayList<>();
    private final List<String> log = new ArrayList<>();
    /** Every snapshot taken (Java's bytes, checked equal to Yjs's). */
    private final List<byte[]> snapshots = new ArrayList<>();
    /** Every update event seen, for snapshotContainsUpdate. */
    private final List<byte[]> updates = new ArrayList<>();
    private final List<String> extraDocs = new ArrayList<>();
    private final Map<TwinReplica, PermanentUserData> users = new HashMap<>();
    private final Map<TwinReplica, UndoManager> undoManagers = new HashMap<>();
    private boolean gc;
    private boolean withUsers;

    Run(long seed, String prefix) {
      this.rnd = new SplittableRandom(seed);
      this.edits = new RandomEdits(rnd);
      this.prefix = prefix;
    }

    void execute() {
      gc = rnd.nextInt(5) == 0;
      withUsers = rnd.nextBoolean();
      boolean withUndo = rnd.nextBoolean();
      int n = 2 + rnd.nextInt(2);
      List<Long> ids = new ArrayList<>();
      while (ids.size() < n) {
        long id = rnd.nextBoolean() ? rnd.nextLong(1, 100) : rnd.nextLong(1, 1L << 32);
        if (!ids.contains(id)) {
          ids.add(id);
        }
      }
      log.add("replicas " + ids + " gc=" + gc + " users=" + withUsers + " undo=" + withUndo);
      try {
        for (int i = 0; i < n; i++) {
          replicas.add(new TwinReplica(peer, prefix + "-" + i, ids.get(i), gc));
        }
        if (withUsers) {
          for (TwinReplica r : replicas) {
            users.put(r, new PermanentUserData(r.doc));
            peer.request(cmd("pud", r.id));
          }
          for (TwinReplica r : replicas) {
            String user = "user" + rnd.nextInt(n - 1);
            users.get(r).setUserMapping(r.doc.clientId(), user);
            Map<String, Object> c = cmd("setUserMapping", r.id);
            c.put("clientId", r.doc.clientId());
            c.put("user", user);
            peer.request(c);
            log.add(r.id + " is " + user);
            exchangeEvents(r, "setUserMapping", 0);
          }
        }
        if (withUndo) {
          replicas.forEach(this::createUndoManager);
        }
        takeSnapshot(replicas.get(0));
        int steps = 30 + rnd.nextInt(70);
        for (int step = 0; step < steps; step++) {
          int dice = rnd.nextInt(100);
          TwinReplica r = replicas.get(rnd.nextInt(n));
          if (dice < 55) {
            if (undoManagers.containsKey(r) && rnd.nextInt(3) == 0) {
              undoOrRedo(r, rnd.nextInt(3) == 0 ? "redo" : "undo");
            } else {
              localEdit(r);
            }
          } else if (dice < 85) {
            deliverOne(r);
          } else if (dice < 95) {
            takeSnapshot(r);
          } else {
            compareAt(r);
          }
        }
        fullSync();
        takeSnapshot(replicas.get(0));
        for (int i = 0; i < 6; i++) {
          compareAt(replicas.get(rnd.nextInt(n)));
        }
        compareSnapshotQuestions();
        compareRestored();
        if (withUsers) {
          compareUsers();
        }
        // reading at snapshots split and merged items: nothing may have changed
        for (TwinReplica r : replicas) {
          assertThat(r.takeEvents()).as("update events of %s while reading snapshots", r.id).isEmpty();
          assertThat(YjsInterop.base64(r.doc.encodeStateAsUpdate())).as("state of %s after reading snapshots", r.id)
              .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(r.id, null)));
          DocInvariants.check(r.doc, false);
        }
      } catch (AssertionError | RuntimeException e) {
        throw SeededRuns.withLastSteps(e, log, 15);
      } finally {
        undoManagers.values().forEach(UndoManager::close);
        for (TwinReplica r : replicas) {
          dropQuietly(r.id);
        }
        extraDocs.forEach(Run::dropQuietly);
      }
    }

    private static void dropQuietly(String id) {
      try {
        peer.drop(id);
      } catch (RuntimeException ignored) {
        // the peer is gone; the failure that got us here says more
      }
    }

    private void localEdit(TwinReplica r) {
      Map<String, Object> op = edits.randomOp(r.doc);
      YjsInterop.apply(r.doc, op);
      log.add(r.id + " " + Json.stringify(op));
      peer.apply(r.id, op);
      exchangeEvents(r, op.get("op").toString(), 0);
    }

    /**
     * An undo manager over r's roots, and the same over its twin's: one stack item per transaction, local ones or
     * (sometimes) remote ones too.
     */
    private void createUndoManager(TwinReplica r) {
      List<String> tracked = rnd.nextBoolean() ? Arrays.asList((String) null) : Arrays.asList(null, "remote");
      log.add(r.id + " undo manager tracking " + tracked);
      undoManagers.put(r, UndoManager.newBuilder(r.doc.getText("t"), r.doc.getArray("a"), r.doc.getMap("m"))
          .captureTimeout(Duration.ZERO).trackedOrigins(tracked).build());
      Map<String, Object> c = cmd("undoManager", r.id);
      c.put("trackedOrigins", tracked);
      c.put("scope", List.of(Map.of("name", "t", "kind", "text"), Map.of("name", "a", "kind", "array"),
          Map.of("name", "m", "kind", "map")));
      c.put("captureTimeout", 0);
      peer.request(c);
    }

    private void undoOrRedo(TwinReplica r, String which) {
      UndoManager undo = undoManagers.get(r);
      boolean changed = (which.equals("undo") ? undo.undo() : undo.redo()) != null;
      log.add(r.id + " " + which + (changed ? "" : " (nothing)"));
      assertThat(changed).as("%s changed something on %s", which, r.id)
          .isEqualTo(peer.request(cmd(which, r.id)).get("changed"));
      exchangeEvents(r, which, 0);
    }

    /**
     * Compares the update events of r and its twin since the last call and sends them, from the {@code first} on,
     * to the other replicas.
     */
    private void exchangeEvents(TwinReplica r, String what, int first) {
      List<byte[]> fromJava = r.takeEvents();
      List<byte[]> fromYjs = peer.updates(r.id);
      TwinReplica.assertSameEvents(r.id + " after " + what, fromJava, fromYjs);
      for (int i = first; i < fromJava.size(); i++) {
        updates.add(fromJava.get(i));
        TwinReplica.Message m = new TwinReplica.Message(r.id + "#" + r.sent++, fromJava.get(i), fromYjs.get(i));
        for (TwinReplica other : replicas) {
          if (other != r) {
            other.inbox.add(m);
          }
        }
      }
    }

    private void deliverOne(TwinReplica to) {
      if (to.inbox.isEmpty()) {
        return;
      }
      TwinReplica.Message m = to.inbox.remove(rnd.nextInt(to.inbox.size()));
      deliver(to, m.label(), m.fromJava(), m.fromYjs());
    }

    private void deliver(TwinReplica to, String label, byte[] fromJava, byte[] fromYjs) {
      log.add(to.id + " <- " + label);
      to.doc.applyUpdate(fromYjs, "remote");
      peer.applyUpdate(to.id, fromJava);
      // With users, a remote update can make this replica copy a user's data into the winning entry: the events
      // after the first are those copies. The first one (the update applied, with the deletion of an entry that
      // lost) is not relayed: Yjs's PermanentUserData throws when it gets a losing entry before the winner.
      exchangeEvents(to, "applying " + label, 1);
    }

    private void fullSync() {
      log.add("full sync");
      for (int round = 0; round < 2; round++) {
        for (TwinReplica from : replicas) {
          for (TwinReplica to : replicas) {
            if (from != to) {
              byte[] sv = to.doc.encodeStateVector();
              deliver(to, "sync from " + from.id, from.doc.encodeStateAsUpdate(sv), peer.encodeStateAsUpdate(from.id, sv));
            }
          }
        }
      }
      for (TwinReplica to : replicas) {
        while (!to.inbox.isEmpty()) {
          deliverOne(to);
        }
      }
      byte[] reference = peer.encodeStateAsUpdate(replicas.get(0).id, null);
      for (TwinReplica r : replicas) {
        assertThat(r.doc.hasPendingUpdates()).as("%s pending after full sync", r.id).isFalse();
        assertThat(YjsInterop.base64(r.doc.encodeStateAsUpdate())).as("state of %s after full sync", r.id)
            .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(r.id, null)));
        assertThat(r.doc.encodeStateVector()).isEqualTo(Updates.stateVector(reference).encode());
      }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Snapshots

    private void takeSnapshot(TwinReplica r) {
      Snapshot snapshot = Snapshot.of(r.doc);
      byte[] java = snapshot.encode();
      byte[] yjs = YjsInterop.fromBase64(peer.request(cmd("snapshot", r.id)).get("snapshot"));
      log.add(r.id + " snapshot #" + snapshots.size());
      assertThat(YjsInterop.base64(java)).as("snapshot of %s", r.id).isEqualTo(YjsInterop.base64(yjs));
      Snapshot decoded = Snapshot.decode(yjs);
      assertThat(decoded).isEqualTo(snapshot).hasSameHashCodeAs(snapshot);
      assertThat(decoded.encode()).isEqualTo(yjs);
      Map<String, Object> toV2 = cmd("snapshotV2", null);
      toV2.put("snapshot", YjsInterop.base64(yjs));
      byte[] yjsV2 = YjsInterop.fromBase64(peer.request(toV2).get("snapshot"));
      assertThat(YjsInterop.base64(snapshot.encodeV2())).as("v2 snapshot of %s", r.id).isEqualTo(YjsInterop.base64(yjsV2));
      assertThat(Snapshot.decodeV2(yjsV2)).isEqualTo(snapshot);
      snapshots.add(java);
    }

    private byte[] randomSnapshotOrNull() {
      return rnd.nextInt(6) == 0 ? null : snapshots.get(rnd.nextInt(snapshots.size()));
    }

    /** toDelta, array and map values of r at a random snapshot pair, against its twin. */
    private void compareAt(TwinReplica r) {
      byte[] snap = randomSnapshotOrNull();
      byte[] prev = randomSnapshotOrNull();
      String mode = YCHANGE_MODES.get(rnd.nextInt(withUsers ? 3 : 2));
      log.add(r.id + " at snapshot " + snapshots.indexOf(snap) + " prev " + snapshots.indexOf(prev) + " " + mode);
      Map<String, Object> c = cmd("atSnapshot", r.id);
      if (snap != null) {
        c.put("snapshot", YjsInterop.base64(snap));
      }
      if (prev != null) {
        c.put("prevSnapshot", YjsInterop.base64(prev));
      }
      c.put("ychange", mode);
      c.put("texts", List.of("t"));
      if (snap != null) {
        c.put("arrays", List.of("a"));
        c.put("maps", List.of("m"));
      }
      Map<String, Object> expected = peer.request(c);

      Snapshot snapshot = snap == null ? null : Snapshot.decode(snap);
      Snapshot prevSnapshot = prev == null ? null : Snapshot.decode(prev);
      YText.YChangeFunction computeYChange = switch (mode) {
        case "client" -> (type, client, clock) -> ychange(client, type);
        case "pud" -> (type, client, clock) -> ychange(type.equals("added") ? users.get(r).getUserByClientId(client)
            : users.get(r).getUserByDeletedId(client, clock), type);
        default -> null;
      };
      List<Delta> delta = r.doc.getText("t").toDelta(snapshot, prevSnapshot, computeYChange);
      compared++;
      assertNoDifference("t.toDelta(snapshot, prev, " + mode + ")",
          YjsInterop.asMap(expected.get("deltas")).get("t"), YjsInterop.deltaAsMaps(delta));
      if (snapshot != null) {
        assertNoDifference("a at snapshot", YjsInterop.asMap(expected.get("arrays")).get("a"),
            r.doc.getArray("a").toList(snapshot));
        assertNoDifference("m at snapshot", YjsInterop.asMap(expected.get("maps")).get("m"),
            r.doc.getMap("m").toMap(snapshot));
        for (String key : r.doc.getMap("m").map.keySet()) {
          assertNoDifference("m." + key + " at snapshot",
              YjsInterop.asMap(YjsInterop.asMap(expected.get("maps")).get("m")).get(key),
              r.doc.getMap("m").get(key, snapshot));
        }
      }
    }

    private static Map<String, Object> ychange(Object user, String type) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("user", user);
      m.put("type", type);
      return m;
    }

    private static void assertNoDifference(String what, Object expectedTagged, Object actual) {
      String d = YjsInterop.difference(what, YjsInterop.toJava(expectedTagged), actual);
      assertThat(d).as(what).isNull();
    }

    private void compareSnapshotQuestions() {
      for (int i = 0; i < 8; i++) {
        byte[] a = snapshots.get(rnd.nextInt(snapshots.size()));
        byte[] b = rnd.nextInt(3) == 0 ? a : snapshots.get(rnd.nextInt(snapshots.size()));
        Map<String, Object> c = cmd("equalSnapshots", null);
        c.put("a", YjsInterop.base64(a));
        c.put("b", YjsInterop.base64(b));
        assertThat(Snapshot.decode(a).equals(Snapshot.decode(b))).as("equalSnapshots")
            .isEqualTo(peer.request(c).get("equal"));
      }
      for (int i = 0; i < 12 && !updates.isEmpty(); i++) {
        byte[] s = snapshots.get(rnd.nextInt(snapshots.size()));
        byte[] u = updates.get(rnd.nextInt(updates.size()));
        Map<String, Object> c = cmd("snapshotContainsUpdate", null);
        c.put("snapshot", YjsInterop.base64(s));
        c.put("update", YjsInterop.base64(u));
        assertThat(Snapshot.decode(s).containsUpdate(u)).as("snapshotContainsUpdate")
            .isEqualTo(peer.request(c).get("contains"));
      }
    }

    private void compareRestored() {
      for (int i = 0; i < 3; i++) {
        TwinReplica r = replicas.get(rnd.nextInt(replicas.size()));
        byte[] snap = snapshots.get(rnd.nextInt(snapshots.size()));
        String newId = r.id + "-restored" + i;
        Map<String, Object> c = cmd("createDocFromSnapshot", r.id);
        c.put("snapshot", YjsInterop.base64(snap));
        c.put("newId", newId);
        log.add(r.id + " createDocFromSnapshot " + snapshots.indexOf(snap));
        if (gc) {
          assertThatThrownBy(() -> peer.request(c)).isInstanceOf(YjsPeer.PeerException.class);
          assertThatThrownBy(() -> Snapshot.decode(snap).toDoc(r.doc)).isInstanceOf(IllegalStateException.class);
          continue;
        }
        extraDocs.add(newId);
        byte[] expected = YjsInterop.fromBase64(peer.request(c).get("update"));
        Doc restored = Snapshot.decode(snap).toDoc(r.doc);
        assertThat(YjsInterop.base64(restored.encodeStateAsUpdate())).as("createDocFromSnapshot")
            .isEqualTo(YjsInterop.base64(expected));
        Map<String, Object> content = peer.snapshot(newId, ROOTS);
        assertThat(YjsInterop.rootDifferences(restored, new LinkedHashMap<>(ROOTS),
            YjsInterop.asMap(content.get("values")), YjsInterop.asMap(content.get("deltas"))))
            .as("content of the document restored from a snapshot").isEmpty();
        assertThat(r.takeEvents()).isEmpty();
      }
    }

    private void compareUsers() {
      for (TwinReplica r : replicas) {
        List<Object> ids = new ArrayList<>();
        List<String> byClient = new ArrayList<>();
        List<String> byDeleted = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          TwinReplica owner = replicas.get(rnd.nextInt(replicas.size()));
          long client = owner.doc.clientId();
          int clock = rnd.nextInt(Math.max(1, r.doc.store.getState(client)));
          ids.add(List.of(client, clock));
          byClient.add(users.get(r).getUserByClientId(client));
          byDeleted.add(users.get(r).getUserByDeletedId(client, clock));
        }
        Map<String, Object> c = cmd("pudUsers", r.id);
        c.put("ids", ids);
        Map<String, Object> expected = peer.request(c);
        assertThat(byClient).as("getUserByClientId on %s", r.id).isEqualTo(expected.get("byClient"));
        assertThat(byDeleted).as("getUserByDeletedId on %s", r.id).isEqualTo(expected.get("byDeleted"));
      }
    }

    private static Map<String, Object> cmd(String op, String id) {
      Map<String, Object> c = command(op);
      if (id != null) {
        c.put("id", id);
      }
      return c;
    }
  }
}
