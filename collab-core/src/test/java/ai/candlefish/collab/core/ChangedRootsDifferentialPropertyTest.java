package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Updates#changedRoots} against the roots real Yjs sees change ({@code transaction.changed} and the roots above
 * its types) when it applies the same update: replicas edit types nested anywhere ({@link PathEdits}), sync with each
 * other now and then, and a server document and its Yjs twin receive every update the replicas made, mostly in order,
 * now and then one that came later first (its structs then wait).
 */
@ExtendWith(YjsPeerExtension.class)
class ChangedRootsDifferentialPropertyTest {
  private static final Map<String, String> ROOTS = YjsSurfacePropertyTest.ROOTS;
  private static final int RUNS = 60;
  private static final long BUDGET_MILLIS = 30_000;

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  private record Sent(int replica, byte[] update) {}

  @Test
  void changedRoots_namesWhatYjsSeesChange() {
    AtomicInteger compared = new AtomicInteger();
    AtomicInteger incomplete = new AtomicInteger();
    SeededRuns.named("changedRoots", 0xC4A9_6EDL, RUNS).within(BUDGET_MILLIS).forEach((seed, run) -> {
      SplittableRandom rnd = new SplittableRandom(seed);
      PathEdits edits = new PathEdits(rnd, ROOTS);
      List<Sent> sent = new ArrayList<>();
      Doc[] replicas = new Doc[3];
      for (int i = 0; i < replicas.length; i++) {
        int replica = i;
        replicas[i] = Doc.newBuilder().clientId(10 + i).build();
        replicas[i].onUpdate((update, origin, txn) -> sent.add(new Sent(replica, update)));
      }
      for (int step = rnd.nextInt(5, 40); step > 0; step--) {
        Doc doc = replicas[rnd.nextInt(replicas.length)];
        if (rnd.nextInt(6) == 0) {
          Doc other = replicas[rnd.nextInt(replicas.length)];
          other.applyUpdate(doc.encodeStateAsUpdate(other.encodeStateVector()));
        } else {
          edits.perform(doc, edits.randomOp(doc));
        }
      }
      for (int i = 0; i < sent.size() - 1; i++) {
        if (rnd.nextInt(8) == 0) {
          int later = rnd.nextInt(i + 1, sent.size());
          Sent s = sent.get(i);
          sent.set(i, sent.get(later));
          sent.set(later, s);
        }
      }
      String id = "server";
      Doc server = Twins.create(peer, id, 1, true, ROOTS);
      boolean pendingBefore = false;
      for (int i = 0; i < sent.size(); i++) {
        byte[] update = sent.get(i).update();
        byte[] stateBefore = server.encodeStateAsUpdate();
        Updates.ChangedRoots ours = Updates.changedRoots(update, server);
        assertThat(server.encodeStateAsUpdate()).as("seed %d: changedRoots changed the document", seed)
            .isEqualTo(stateBefore);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("op", "changedRoots");
        c.put("id", id);
        c.put("update", YjsInterop.base64(update));
        Map<String, Object> reply = peer.request(c);
        server.applyUpdate(update);
        @SuppressWarnings("unchecked")
        Set<String> yjs = new HashSet<>((List<String>) reply.get("roots"));
        boolean pendingAfter = (Boolean) reply.get("pending");
        String what = "seed " + seed + ", update " + i + " of replica " + sent.get(i).replica();
        assertThat(server.hasPendingUpdates()).as("%s: pending as in Yjs", what).isEqualTo(pendingAfter);
        assertThat(ours.names()).as("%s: roots of the document", what).isSubsetOf(ROOTS.keySet());
        if (!pendingBefore && !pendingAfter) {
          // Everything it holds lands now, and nothing that waited lands with it: exactly Yjs's roots.
          assertThat(ours.complete()).as("%s: complete; %s; doc sv %s", what, DecodedUpdate.decode(update, UpdateFormat.V1), server.stateVector()).isTrue();
          assertThat(ours.names()).as("%s", what).isEqualTo(yjs);
          compared.incrementAndGet();
        } else if (!pendingBefore) {
          // Part of it waits: what lands now is within what it may change.
          assertThat(!ours.complete() || ours.names().containsAll(yjs)).as("%s: %s within %s", what, yjs, ours)
              .isTrue();
        }
        if (!ours.complete()) {
          incomplete.incrementAndGet();
        }
        pendingBefore = pendingAfter;
      }
    });
    assertThat(compared.get()).as("updates compared exactly").isGreaterThan(50);
    System.out.printf("changedRoots: %d updates compared exactly, %d incomplete%n", compared.get(), incomplete.get());
  }
}
