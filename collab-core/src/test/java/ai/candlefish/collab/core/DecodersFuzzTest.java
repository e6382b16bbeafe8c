package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.awareness.Awareness;
import ai.candlefish.collab.sync.SyncMessage;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Coverage-guided fuzzing of every decoder that takes bytes from the network. {@code mvn test} replays the saved
 * inputs (src/test/resources/.../DecodersFuzzTestInputs); {@code JAZZER_FUZZ=1 ./mvnw test -pl collab-core
 * -Dtest=DecodersFuzzTest} fuzzes for real. The only allowed failure is {@link DecodingException}, and a rejected
 * update must leave the document unchanged.
 */
class DecodersFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void applyUpdate(byte[] bytes) {
    applyOrReject(bytes, false);
  }

  @FuzzTest(maxDuration = "30s")
  void applyUpdateV2(byte[] bytes) {
    applyOrReject(bytes, true);
  }

  private static void applyOrReject(byte[] bytes, boolean v2) {
    Doc doc = Doc.newBuilder().clientId(1).build();
    doc.getText("t").insert(0, "existing");
    byte[] before = doc.encodeStateAsUpdate();
    try {
      if (v2) {
        doc.applyUpdateV2(bytes);
      } else {
        doc.applyUpdate(bytes);
      }
      DocInvariants.check(doc, false);
      doc.encodeStateAsUpdate();
      doc.encodeStateAsUpdateV2();
    } catch (DecodingException e) {
      assertThat(doc.encodeStateAsUpdate()).isEqualTo(before);
    }
  }

  /**
   * Updates under tight {@link UpdateLimits}, on a document with something pending: a refused update (malformed or
   * over a limit) changes nothing.
   */
  @FuzzTest(maxDuration = "30s")
  void applyUpdateWithLimits(byte[] bytes) {
    Doc doc = Doc.newBuilder().clientId(1).build();
    doc.getMap("m").set("nested", new YMap());
    Doc other = Doc.newBuilder().clientId(2).build();
    other.getText("t").insert(0, "ab");
    List<byte[]> updates = new ArrayList<>();
    other.onUpdate((u, o, t) -> updates.add(u));
    other.getText("t").insert(2, "cd");
    doc.applyUpdate(updates.get(0)); // waits for "ab"
    UpdateLimits limits = UpdateLimits.newBuilder().maxDepth(3).maxDocumentBytes(4096).maxPendingBytes(256).build();
    byte[] before = doc.encodeStateAsUpdate();
    long pendingBefore = doc.pendingBytes();
    try {
      doc.applyUpdate(bytes, null, limits);
      DocInvariants.check(doc, false);
      doc.toJson();
    } catch (DecodingException | LimitExceededException e) {
      assertThat(doc.encodeStateAsUpdate()).isEqualTo(before);
      assertThat(doc.pendingBytes()).isEqualTo(pendingBefore);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void updatesAlgebra(byte[] bytes) {
    try {
      Updates.stateVector(bytes);
      Updates.merge(java.util.List.of(bytes, bytes));
      Updates.convertV1ToV2(bytes);
    } catch (DecodingException expected) {
      // rejected cleanly
    }
  }

  /**
   * What a server asks of an update under a client id new to the document: {@link Updates#clockRanges} throws only
   * {@link DecodingException}, and answers as {@link Updates#parseMeta} wherever that answers (it may answer where
   * parseMeta refuses content it skips).
   */
  @FuzzTest(maxDuration = "30s")
  void clockRanges(byte[] bytes) {
    Updates.UpdateMeta expected;
    try {
      expected = Updates.parseMeta(bytes);
    } catch (DecodingException malformed) {
      try {
        Updates.clockRanges(bytes);
      } catch (DecodingException alsoRefused) {
        // refused cleanly
      }
      return;
    }
    assertThat(Updates.clockRanges(bytes)).isEqualTo(expected);
  }

  /**
   * What a read-only client sends is asked about before anything is applied: {@link Updates#wouldChange} throws
   * only {@link DecodingException}, never changes the document, and when it says "no change", applying the update
   * to a copy changes nothing indeed.
   */
  @FuzzTest(maxDuration = "30s")
  void wouldChange(byte[] bytes) {
    Doc doc = Doc.newBuilder().clientId(1).build();
    doc.getText("t").insert(0, "hello world");
    doc.getText("t").delete(2, 3);
    byte[] before = doc.encodeStateAsUpdate();
    boolean changes;
    try {
      changes = Updates.wouldChange(bytes, doc);
    } catch (DecodingException rejected) {
      assertThat(doc.encodeStateAsUpdate()).isEqualTo(before);
      return;
    }
    assertThat(doc.encodeStateAsUpdate()).isEqualTo(before);
    if (!changes) {
      Doc copy = Doc.newBuilder().clientId(2).build();
      copy.applyUpdate(before);
      copy.applyUpdate(bytes);
      assertThat(copy.encodeStateAsUpdate()).isEqualTo(before);
    }
  }

  /**
   * What a server asks of every client update when a host's {@code beforeUpdate} hook is set:
   * {@link Updates#changedRoots(byte[], Doc, UpdateLimits)} throws only {@link DecodingException} or
   * {@link LimitExceededException}, never changes the document, and when it says the answer is complete, applying the
   * update to a copy changes no root it did not name (a root left out is one a hook would not protect).
   */
  @FuzzTest(maxDuration = "30s")
  void changedRoots(byte[] bytes) {
    Doc doc = Doc.newBuilder().clientId(1).build();
    YMap nested = new YMap();
    doc.getMap("m").set("nested", nested);
    nested.set("k", new YArray());
    doc.getText("t").insert(0, "hello world");
    doc.getText("t").delete(2, 3);
    byte[] before = doc.encodeStateAsUpdate();
    Updates.ChangedRoots roots;
    try {
      roots = Updates.changedRoots(bytes, doc, UpdateLimits.newBuilder().maxDocumentBytes(64 * 1024).build());
    } catch (DecodingException | LimitExceededException refused) {
      assertThat(doc.encodeStateAsUpdate()).isEqualTo(before);
      return;
    }
    assertThat(doc.encodeStateAsUpdate()).isEqualTo(before);
    if (!roots.complete()) {
      return; // any root may change
    }
    Doc copy = Doc.newBuilder().clientId(2).build();
    copy.applyUpdate(before);
    Set<String> changed = new TreeSet<>();
    copy.onAfterTransaction(txn -> txn.changedTypes().keySet().forEach(type -> {
      SharedType t = type;
      while (t.item != null && t.item.parent instanceof SharedType parent) {
        t = parent;
      }
      if (t.item == null && t.rootName != null) {
        changed.add(t.rootName);
      }
    }));
    copy.applyUpdate(bytes);
    assertThat(roots.names()).containsAll(changed);
  }

  @FuzzTest(maxDuration = "10s")
  void updatesAlgebraV2(byte[] bytes) {
    try {
      Updates.stateVectorV2(bytes);
      Updates.mergeV2(java.util.List.of(bytes, bytes));
      Updates.diffV2(bytes, new byte[] {1, 1, 1});
      Updates.convertV2ToV1(bytes);
    } catch (DecodingException expected) {
      // rejected cleanly
    }
  }

  @FuzzTest(maxDuration = "10s")
  void snapshotV2(byte[] bytes) {
    Snapshot snapshot;
    try {
      snapshot = Snapshot.decodeV2(bytes);
    } catch (DecodingException rejected) {
      return;
    }
    // v2 ranges are ordered by construction, so they re-encode (a client listed twice is sorted on the way)
    Snapshot.decodeV2(snapshot.encodeV2());
    assertThat(Snapshot.decode(snapshot.encode())).isEqualTo(snapshot);
  }

  @FuzzTest(maxDuration = "10s")
  void snapshot(byte[] bytes) {
    Snapshot snapshot;
    try {
      snapshot = Snapshot.decode(bytes);
    } catch (DecodingException rejected) {
      return;
    }
    assertThat(Snapshot.decode(snapshot.encode())).isEqualTo(snapshot);
    // reading at a hostile snapshot splits and merges items, and must leave the document as it was
    Doc doc = Doc.newBuilder().clientId(1).gc(false).build();
    doc.getText("t").insert(0, "existing");
    doc.getText("t").delete(2, 3);
    doc.getArray("a").push(java.util.List.of(1, 2, 3));
    doc.getMap("m").set("k", "v");
    byte[] before = doc.encodeStateAsUpdate();
    doc.getText("t").toDelta(snapshot, snapshot, null);
    doc.getArray("a").toList(snapshot);
    doc.getMap("m").toMap(snapshot);
    snapshot.containsUpdate(before);
    try {
      snapshot.toDoc(doc);
    } catch (IllegalArgumentException notOfThisDocument) {
      // refused before anything was read
    }
    DocInvariants.check(doc);
    assertThat(doc.encodeStateAsUpdate()).isEqualTo(before);
  }

  @FuzzTest(maxDuration = "10s")
  void syncAndAwareness(byte[] bytes) {
    try {
      SyncMessage.decode(bytes);
    } catch (DecodingException expected) {
      // rejected cleanly
    }
    Awareness awareness = new Awareness(1, () -> 0L);
    byte[] before = awareness.encodeUpdate();
    try {
      awareness.applyUpdate(bytes, "fuzz");
    } catch (DecodingException e) {
      assertThat(awareness.encodeUpdate()).isEqualTo(before);
    }
  }

  @FuzzTest(maxDuration = "10s")
  void relativePosition(byte[] bytes) {
    Doc doc = Doc.newBuilder().clientId(1).build();
    doc.getText("t").insert(0, "existing");
    byte[] before = doc.encodeStateAsUpdate();
    RelativePosition pos;
    try {
      pos = RelativePosition.decode(bytes);
    } catch (DecodingException expected) {
      return; // rejected cleanly
    }
    // whatever it refers to, resolving it answers or says null, and reads the document without changing it
    pos.toAbsolute(doc);
    pos.toAbsolute(doc, false);
    if (!"".equals(pos.rootName())) { // Yjs's JSON form drops an empty root name (it tests it for truthiness)
      assertThat(RelativePosition.fromJson(pos.toJson()).encode()).isEqualTo(pos.encode());
    }
    if (pos.rootName() == null) {
      assertThat(doc.encodeStateAsUpdate()).isEqualTo(before);
    }
  }
}
