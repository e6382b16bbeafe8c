package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * One random session of a differential property test: Java replicas, each twinned with a Yjs doc in
 * {@code yjs-peer.mjs} (created with {@code observe}), that edit locally and receive each other's updates in random
 * order, alone or merged. After every step the update events must be the same bytes, the deep observers of the
 * roots must have seen the same events, and the roots must read the same; at the end the states must be the same
 * bytes. Updates that a replica emits while receiving (a formatting cleanup, a listener that writes) travel on like
 * local ones.
 *
 * <p>The test decides what a local edit is ({@link #run}'s {@code localEdit}, which reports it with
 * {@link #applied}) and may compare more after each step ({@code moreChecks}).
 */
final class TwinSession {
  final SplittableRandom rnd;
  final List<String> log = new ArrayList<>();
  final List<Twin> twins = new ArrayList<>();
  private final YjsPeer peer;
  private final Map<String, String> roots;
  private final BiConsumer<Twin, String> moreChecks;

  TwinSession(YjsPeer peer, long seed, Map<String, String> roots, BiConsumer<Twin, String> moreChecks) {
    this.peer = peer;
    this.rnd = new SplittableRandom(seed);
    this.roots = new LinkedHashMap<>(roots);
    this.moreChecks = moreChecks;
  }

  /** A Java replica and what it emitted and observed since the last comparison. */
  static final class Twin {
    final String id;
    final Doc doc;
    final List<Message> inbox = new ArrayList<>();
    final List<byte[]> updates = new ArrayList<>();
    final List<Object> events = new ArrayList<>();
    final List<Object> log = new ArrayList<>();
    int sent;

    Twin(String id, Doc doc) {
      this.id = id;
      this.doc = doc;
    }

    List<byte[]> takeUpdates() {
      List<byte[]> out = new ArrayList<>(updates);
      updates.clear();
      return out;
    }
  }

  record Message(String label, byte[] update) {}

  /** Adds a replica with an update listener and deep observers on the roots, as its twin has. */
  Twin add(String id, long clientId, boolean gc) {
    Twin t = new Twin(id, Doc.newBuilder().clientId(clientId).gc(gc).build());
    t.doc.onUpdate((bytes, origin, txn) -> t.updates.add(bytes.clone()));
    for (String name : roots.keySet()) {
      rootOf(t.doc, name).observeDeep(list -> list.forEach(e -> t.events.add(YjsSurfacePropertyTest.describe(e))));
    }
    twins.add(t);
    peer.newDoc(id, clientId, gc, roots, true);
    return t;
  }

  /**
   * An undo manager over the whole of {@code t}'s document, without a capture timeout (one stack item per
   * transaction), and the same over its twin ({@code peer-extras.mjs}'s {@code undoManager}).
   */
  UndoManager addUndoManager(Twin t) {
    UndoManager undo = UndoManager.newBuilder(t.doc).captureTimeout(Duration.ZERO).build();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", "undoManager");
    c.put("id", t.id);
    c.put("scope", "doc");
    c.put("captureTimeout", 0);
    peer.request(c);
    return undo;
  }

  private SharedType rootOf(Doc doc, String name) {
    return Twins.root(doc, name, roots.get(name));
  }

  /**
   * {@code steps} steps, each a local edit of a random replica ({@code localPercent} percent of them) or a
   * delivery; then every inbox is delivered and the states compared. Drops the twins; a failure carries the last
   * steps.
   */
  void run(int steps, int localPercent, Consumer<Twin> localEdit) {
    run(steps, localPercent, localEdit, () -> { });
  }

  /** {@link #run(int, int, Consumer)}, then {@code atEnd} while the twins are still there. */
  void run(int steps, int localPercent, Consumer<Twin> localEdit, Runnable atEnd) {
    try {
      for (int step = 0; step < steps; step++) {
        if (rnd.nextInt(100) < localPercent) {
          localEdit.accept(twins.get(rnd.nextInt(twins.size())));
        } else {
          deliverSome();
        }
      }
      for (Twin to : twins) {
        while (!to.inbox.isEmpty()) {
          deliver(to, List.of(to.inbox.remove(rnd.nextInt(to.inbox.size()))));
        }
      }
      for (Twin t : twins) {
        assertThat(YjsInterop.base64(t.doc.encodeStateAsUpdate())).as("state of %s", t.id)
            .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(t.id, null)));
      }
      atEnd.run();
    } catch (AssertionError | RuntimeException e) {
      throw SeededRuns.withLastSteps(e, log, 12);
    } finally {
      for (Twin t : twins) {
        try {
          peer.drop(t.id);
        } catch (RuntimeException ignored) {
          // the failure that got us here says more
        }
      }
    }
  }

  /**
   * After {@code t}'s Java replica performed {@code op}: its twin performs it, and both are compared. Returns the
   * peer's reply to {@code op}.
   */
  Map<String, Object> applied(Twin t, Map<String, Object> op) {
    log.add(t.id + " " + Json.stringify(op));
    Map<String, Object> c = new LinkedHashMap<>(op);
    c.put("id", t.id);
    Map<String, Object> reply = peer.request(c);
    compareAndSend(t, "after " + op.get("op"));
    return reply;
  }

  private void deliverSome() {
    List<Twin> waiting = twins.stream().filter(t -> !t.inbox.isEmpty()).toList();
    if (waiting.isEmpty()) {
      return;
    }
    Twin to = waiting.get(rnd.nextInt(waiting.size()));
    List<Message> batch = new ArrayList<>();
    for (int k = rnd.nextInt(3) == 0 ? 2 + rnd.nextInt(3) : 1; k > 0 && !to.inbox.isEmpty(); k--) {
      batch.add(to.inbox.remove(rnd.nextInt(to.inbox.size())));
    }
    deliver(to, batch);
  }

  private void deliver(Twin to, List<Message> batch) {
    String label = batch.stream().map(Message::label).toList().toString();
    log.add(to.id + " <- " + label);
    byte[] update = batch.size() == 1 ? batch.get(0).update : peer.mergeUpdates(batch.stream().map(Message::update).toList());
    to.doc.applyUpdate(update, "remote"); // the peer's origin (an UndoManager tracks null)
    peer.applyUpdate(to.id, update);
    compareAndSend(to, "applying " + label);
  }

  private void compareAndSend(Twin t, String when) {
    List<byte[]> fromYjs = peer.updates(t.id);
    assertThat(t.takeUpdates().stream().map(YjsInterop::base64).toList()).as("update events of %s %s", t.id, when)
        .isEqualTo(fromYjs.stream().map(YjsInterop::base64).toList());
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", "events");
    c.put("id", t.id);
    Object yjsEvents = peer.request(c).get("events");
    List<Object> javaEvents = new ArrayList<>(t.events);
    t.events.clear();
    assertThat(YjsSurfacePropertyTest.normalized(javaEvents)).as("events of %s %s", t.id, when).isEqualTo(yjsEvents);
    Map<String, Object> yjs = peer.snapshot(t.id, roots);
    assertThat(YjsInterop.rootDifferences(t.doc, new LinkedHashMap<>(roots), YjsInterop.asMap(yjs.get("values")),
        YjsInterop.asMap(yjs.get("deltas")))).as("%s %s", t.id, when).isEmpty();
    moreChecks.accept(t, when);
    for (byte[] update : fromYjs) {
      String label = t.id + "#" + t.sent++;
      for (Twin other : twins) {
        if (other != t) {
          other.inbox.add(new Message(label, update));
        }
      }
    }
  }
}
