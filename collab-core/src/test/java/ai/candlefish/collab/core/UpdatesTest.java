package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.internal.codec.Lib0Encoder;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link Updates} against Yjs's own mergeUpdates / diffUpdate, run by the Yjs peer. */
@ExtendWith(YjsPeerExtension.class)
class UpdatesTest {
  private static YjsPeer peer; // started and closed by YjsPeerExtension

  /** Updates of three replicas editing concurrently, some with deletions, some concurrent. */
  private static List<byte[]> history(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    List<byte[]> updates = new ArrayList<>();
    List<Doc> docs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Doc d = Doc.newBuilder().clientId(10 + i).build();
      d.onUpdate((u, o, t) -> {
        if (o == null) {
          updates.add(u);
        }
      });
      docs.add(d);
    }
    for (int step = 0; step < 60; step++) {
      Doc d = docs.get(rnd.nextInt(docs.size()));
      YText t = d.getText("t");
      switch (rnd.nextInt(4)) {
        case 0 -> t.insert(rnd.nextInt(t.length() + 1), "abc".substring(rnd.nextInt(3)));
        case 1 -> {
          if (t.length() > 0) {
            int i = rnd.nextInt(t.length());
            t.delete(i, 1 + rnd.nextInt(Math.min(3, t.length() - i)));
          }
        }
        case 2 -> d.getMap("m").set("k" + rnd.nextInt(3), rnd.nextInt(100));
        default -> {
          Doc other = docs.get(rnd.nextInt(docs.size()));
          other.applyUpdate(d.encodeStateAsUpdate(other.encodeStateVector()), "sync");
        }
      }
    }
    return updates;
  }

  @Test
  void merge_matchesYjs() {
    for (long seed = 1; seed <= 20; seed++) {
      List<byte[]> updates = history(seed);
      Collections.shuffle(updates, new java.util.Random(seed));
      List<byte[]> some = updates.subList(0, 1 + (int) (seed % updates.size()));
      assertThat(Updates.merge(some)).as("seed %d", seed).isEqualTo(peer.mergeUpdates(some));
    }
  }

  /**
   * Many updates holding the same ranges, some as Items and some as GC: Yjs's reader order then depends on V8's
   * sort (its comparator calls each of a GC and an Item at the same id the smaller), which shows from 32 readers
   * on, where V8's TimSort and Java's part ways.
   */
  @Test
  void merge_ofManyUpdatesMixingItemsAndGc_matchesYjs() {
    for (long seed = 1; seed <= 40; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      // A pool of updates of a few clients, each holding the same range of a nested text from its first clock:
      // the transaction that typed it (Items), the document's state from there on before the text was replaced
      // (Items) and after (its items are GC then).
      List<byte[]> pool = new ArrayList<>();
      for (long client = 1; client <= 1 + rnd.nextInt(3); client++) {
        Doc d = Doc.newBuilder().clientId(client).build();
        YMap m = d.getMap("m");
        YText t = m.set("k", new YText());
        byte[] afterType = d.encodeStateVector();
        d.onUpdate((u, o, txn) -> pool.add(u));
        for (int i = 0; i < 1 + rnd.nextInt(3); i++) {
          t.insert(t.length(), "abcd".substring(rnd.nextInt(3)));
        }
        pool.add(d.encodeStateAsUpdate(afterType));
        m.set("k", rnd.nextInt(10));
        pool.add(d.encodeStateAsUpdate(afterType));
      }
      List<byte[]> mixed = new ArrayList<>();
      int count = 32 + rnd.nextInt(60);
      for (int i = 0; i < count; i++) {
        mixed.add(pool.get(rnd.nextInt(pool.size())));
      }
      assertThat(YjsInterop.base64(Updates.merge(mixed))).as("seed %d, %d updates", seed, count)
          .isEqualTo(YjsInterop.base64(peer.mergeUpdates(mixed)));
    }
  }

  @Test
  void diff_matchesYjs() {
    for (long seed = 1; seed <= 20; seed++) {
      List<byte[]> updates = history(seed);
      byte[] merged = peer.mergeUpdates(updates);
      Doc partial = Doc.create();
      for (byte[] u : updates.subList(0, updates.size() / 2)) {
        partial.applyUpdate(u);
      }
      byte[] sv = partial.encodeStateVector();
      assertThat(Updates.diff(merged, sv)).as("seed %d", seed).isEqualTo(peer.diffUpdate(merged, sv));
    }
  }

  @Test
  void withoutClients_dropsTheirStructs_keepsTheOthersAndEveryDeletion_asYjsDiffUpdate() {
    for (long seed = 1; seed <= 20; seed++) {
      byte[] merged = peer.mergeUpdates(history(seed));
      byte[] without = Updates.withoutClients(merged, List.of(11L));
      Map<Long, Integer> kept = Updates.parseMeta(without).to();
      assertThat(kept).as("seed %d", seed).doesNotContainKey(11L);
      Map<Long, Integer> all = new java.util.HashMap<>(Updates.parseMeta(merged).to());
      all.remove(11L);
      assertThat(kept).as("seed %d", seed).isEqualTo(all);
      Doc everything = Doc.create();
      everything.applyUpdate(merged);
      assertThat(Updates.wouldChange(without, everything)).as("nothing new: a part of the update").isFalse();
    }
  }

  @Test
  void mergedUpdate_appliesLikeTheUpdates() {
    List<byte[]> updates = history(42);
    Doc one = Doc.create();
    updates.forEach(one::applyUpdate);
    Doc merged = Doc.create();
    merged.applyUpdate(Updates.merge(updates));
    assertThat(merged.getText("t").toString()).isEqualTo(one.getText("t").toString());
    assertThat(merged.getMap("m").toJson()).isEqualTo(one.getMap("m").toJson());
    assertThat(Updates.stateVector(one.encodeStateAsUpdate())).isEqualTo(one.stateVector());
  }

  @Test
  void merge_rejectsBadInput() {
    // Yjs 13.6.33: mergeUpdates([]) is AAA= and mergeUpdatesV2([]) AAAAAAAAAQAAAAAAAA== (its own tests merge none)
    assertThat(Base64.getEncoder().encodeToString(Updates.merge(List.of()))).isEqualTo("AAA=");
    assertThat(Base64.getEncoder().encodeToString(Updates.mergeV2(List.of()))).isEqualTo("AAAAAAAAAQAAAAAAAA==");
    assertThatThrownBy(() -> Updates.merge(List.of(new byte[] {0, 0}, new byte[] {5})))
        .isInstanceOf(DecodingException.class);
    assertThat(Updates.stateVector(new byte[] {0, 0}).toMap()).isEqualTo(Map.of());
  }

  // --------------------------------------------------------------------------------------------- wouldChange

  private static Doc docWith(String text) {
    Doc doc = Doc.create();
    doc.getText("t").insert(0, text);
    return doc;
  }

  private static Doc copy(Doc doc) {
    Doc copy = Doc.create();
    copy.applyUpdate(doc.encodeStateAsUpdate());
    return copy;
  }

  @Test
  void holdsAll_theUpdatesAStateWasMadeOf_isTrue() {
    Doc doc = Doc.create();
    List<byte[]> updates = new ArrayList<>();
    doc.onUpdate((u, o, t) -> updates.add(u));
    doc.getText("t").insert(0, "hello world");
    doc.getText("t").delete(0, 6);
    doc.getText("t").insert(0, "x");
    assertThat(Updates.holdsAll(doc.encodeStateAsUpdate(), updates)).isTrue();
    assertThat(Updates.holdsAll(doc.encodeStateAsUpdate(), List.of())).isTrue();
  }

  @Test
  void holdsAll_anUpdateWithAStructTheStateLacks_isFalse() {
    Doc doc = docWith("hello");
    byte[] state = doc.encodeStateAsUpdate();
    Doc later = copy(doc);
    later.getText("t").insert(0, "x");
    assertThat(Updates.holdsAll(state, List.of(state, later.encodeStateAsUpdate(doc.encodeStateVector()))))
        .isFalse();
  }

  @Test
  void holdsAll_aDeletionOfWhatTheStateStillHas_isFalse() {
    Doc doc = docWith("hello");
    byte[] state = doc.encodeStateAsUpdate();
    Doc later = copy(doc);
    later.getText("t").delete(1, 2);
    byte[] deletion = later.encodeStateAsUpdate(doc.encodeStateVector()); // no structs, a deletion
    assertThat(Updates.holdsAll(state, List.of(deletion))).isFalse();
    assertThat(Updates.holdsAll(later.encodeStateAsUpdate(), List.of(deletion))).isTrue();
  }

  @Test
  void holdsAll_aDeletionPartlyOutsideTheStatesDeleteSet_isFalse() {
    Doc doc = docWith("abcdef");
    Doc deleted = copy(doc);
    deleted.getText("t").delete(1, 2); // b, c
    byte[] state = deleted.encodeStateAsUpdate();
    Doc more = copy(doc);
    more.getText("t").delete(1, 3); // b, c, d
    assertThat(Updates.holdsAll(state, List.of(more.encodeStateAsUpdate(doc.encodeStateVector())))).isFalse();
  }

  @Test
  void wouldChange_emptyUpdate_isFalse() {
    assertThat(Updates.wouldChange(Updates.empty(), docWith("x"))).isFalse();
  }

  @Test
  void wouldChange_aReadersAnswerToStep1_withDeletionsTheDocumentHas_isFalse() {
    Doc server = docWith("hello world");
    server.getText("t").delete(0, 6);
    Doc reader = copy(server);
    byte[] answer = reader.encodeStateAsUpdate(server.encodeStateVector()); // no structs, the whole delete set
    assertThat(Updates.wouldChange(answer, server)).isFalse();
  }

  @Test
  void wouldChange_newStructs_isTrue() {
    Doc server = docWith("hello");
    Doc reader = copy(server);
    reader.getText("t").insert(0, "x");
    assertThat(Updates.wouldChange(reader.encodeStateAsUpdate(server.encodeStateVector()), server)).isTrue();
  }

  @Test
  void wouldChange_structsTheDocumentHas_isFalse() {
    Doc server = docWith("hello");
    assertThat(Updates.wouldChange(server.encodeStateAsUpdate(), server)).isFalse();
    Doc other = Doc.create();
    other.getText("t").insert(0, "new");
    assertThat(Updates.wouldChange(other.encodeStateAsUpdate(), server)).isTrue();
  }

  @Test
  void wouldChange_aDeletionTheDocumentLacks_isTrue() {
    Doc server = docWith("hello");
    Doc reader = copy(server);
    reader.getText("t").delete(1, 2);
    byte[] answer = reader.encodeStateAsUpdate(server.encodeStateVector());
    assertThat(Updates.wouldChange(answer, server)).isTrue();
    server.getText("t").delete(0, 4); // now the server deleted more than the reader did
    assertThat(Updates.wouldChange(answer, server)).isFalse();
  }

  @Test
  void wouldChange_aDeletionOfSomethingUnseen_isTrue() {
    Doc server = docWith("hello");
    Doc writer = copy(server);
    writer.getText("t").insert(5, " world");
    Doc later = copy(writer);
    later.getText("t").delete(5, 6);
    byte[] deletionOnly = later.encodeStateAsUpdate(writer.encodeStateVector());
    assertThat(Updates.wouldChange(deletionOnly, server)).isTrue();
  }

  @Test
  void wouldChange_garbage_throwsAndChangesNothing() {
    Doc server = docWith("x");
    byte[] before = server.encodeStateAsUpdate();
    assertThatThrownBy(() -> Updates.wouldChange(new byte[] {}, server)).isInstanceOf(DecodingException.class);
    assertThatThrownBy(() -> Updates.wouldChange(new byte[] {0, 1, 5}, server)).isInstanceOf(DecodingException.class);
    assertThatThrownBy(() -> Updates.wouldChange(new byte[] {0, (byte) 0xFF, (byte) 0xFF, 0x7F}, server))
        .isInstanceOf(DecodingException.class);
    assertThat(server.encodeStateAsUpdate()).isEqualTo(before);
  }

  /**
   * parseMeta and wouldChange read an update one struct at a time ({@code UpdateReader.scan}): a server asks them of
   * every update that brings a Yjs client id new to it, and of every update of a read-only client, before the
   * update's own weight is checked. Before, they decoded all of it at once: 16 MiB of subdocument references held
   * ~1.4 GB. Halfway through 20,000 subdocuments, the structs seen before are garbage.
   */
  @Test
  void parseMetaAndWouldChange_holdOneStructAtATime() {
    byte[] update = UpdateLimitsTest.subdocuments(20_000);
    List<java.lang.ref.WeakReference<AbstractStruct>> seen = new ArrayList<>();
    int[] kept = {-1};
    UpdateMerger.Meta meta = new UpdateMerger.Meta();
    UpdateReader.scan(update, UpdateFormat.V1, s -> {
      meta.accept(s);
      if (seen.size() == 10_000) {
        System.gc();
        kept[0] = (int) seen.stream().filter(r -> r.get() != null).count();
      }
      seen.add(new java.lang.ref.WeakReference<>(s));
    });
    assertThat(kept[0]).as("structs of the first half still reachable").isLessThan(100);
    assertThat(meta.meta()).isEqualTo(Updates.parseMeta(update));
    assertThat(meta.meta().to().values()).containsExactly(20_000);
    Doc doc = Doc.create();
    assertThat(Updates.wouldChange(update, doc)).isTrue();
    doc.applyUpdate(update);
    assertThat(Updates.wouldChange(update, doc)).isFalse();
  }

  /** The update of the transactions {@code edit} runs on {@code doc}. */
  private static byte[] updateOf(Doc doc, Runnable edit) {
    List<byte[]> updates = new ArrayList<>();
    Subscription s = doc.onUpdate((u, o, t) -> updates.add(u));
    edit.run();
    s.close();
    return Updates.merge(updates);
  }

  private static Doc copyOf(Doc doc, long client) {
    Doc copy = Doc.newBuilder().clientId(client).build();
    copy.applyUpdate(doc.encodeStateAsUpdate());
    return copy;
  }

  @Test
  void changedRoots_ofAnEditNestedInARoot_namesThatRoot() {
    Doc server = Doc.newBuilder().clientId(1).build();
    server.getMap("rooms").set("kitchen", new YMap());
    server.getMap("totals").set("sum", 10);
    Doc client = copyOf(server, 2);
    byte[] nested = updateOf(client, () -> ((YMap) client.getMap("rooms").get("kitchen")).set("walls", 4));
    byte[] newType = updateOf(client, () -> {
      YArray surfaces = new YArray();
      client.getMap("rooms").set("hall", surfaces);
      surfaces.insert(0, List.of("ceiling")); // its parent is the new type, an item of the same update
    });
    assertThat(Updates.changedRoots(nested, server)).isEqualTo(new Updates.ChangedRoots(Set.of("rooms"), true));
    assertThat(Updates.changedRoots(newType, server)).isEqualTo(new Updates.ChangedRoots(Set.of("rooms"), true));
    assertThat(Updates.changedRoots(newType, server).mayChange("totals")).isFalse();
  }

  @Test
  void changedRoots_ofDeletions_namesTheRootsOfWhatTheyDelete() {
    Doc server = Doc.newBuilder().clientId(1).build();
    server.getMap("totals").set("sum", 10);
    server.getText("notes").insert(0, "hello");
    Doc client = copyOf(server, 2);
    byte[] update = updateOf(client, () -> client.transact(txn -> {
      client.getMap("totals").delete("sum");
      client.getText("notes").delete(0, 1);
    }));
    assertThat(Updates.changedRoots(update, server).names()).containsExactly("notes", "totals");
  }

  @Test
  void changedRoots_ofWhatTheDocumentHasAlready_isEmpty() {
    Doc server = Doc.newBuilder().clientId(1).build();
    server.getMap("totals").set("sum", 10);
    server.getMap("totals").delete("sum");
    Updates.ChangedRoots roots = Updates.changedRoots(server.encodeStateAsUpdate(), server);
    assertThat(roots.names()).isEmpty();
    assertThat(roots.complete()).isTrue();
    assertThat(roots.mayChange("totals")).isFalse();
  }

  /**
   * A map entry's parent is not written when it replaces an entry (its left neighbour): written over an entry the
   * server has not made yet, it would land in whatever root the server's next entry is in. That cannot be known.
   */
  @Test
  void changedRoots_ofAnEntryOverOneTheDocumentLacks_isIncomplete() {
    Doc server = Doc.newBuilder().clientId(1).build();
    server.getMap("totals").set("sum", 10);
    Doc serverLater = copyOf(server, 1);
    serverLater.getMap("totals").set("sum", 11); // not in server yet
    Doc client = copyOf(serverLater, 2);
    byte[] forged = updateOf(client, () -> client.getMap("totals").set("sum", 99999));
    Updates.ChangedRoots roots = Updates.changedRoots(forged, server);
    assertThat(roots.complete()).isFalse();
    assertThat(roots.mayChange("anything")).isTrue();
    byte[] deletesWhatIsMissing = updateOf(client, () -> client.getMap("totals").delete("sum"));
    assertThat(Updates.changedRoots(deletesWhatIsMissing, server).complete()).isFalse();
  }

  /**
   * A client listed twice in one update: Yjs keeps the later listing (a map by client), and so does applying it here;
   * the roots named are those of the listing that is applied (both listings' were named).
   */
  @Test
  void changedRoots_ofAClientListedTwice_namesTheRootsOfTheLaterListing_asYjsApplies() {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(2); // two listings, both of client 7 from clock 0
    for (String root : List.of("secret", "public")) {
      out.writeVarUint(1);
      out.writeVarUint(7);
      out.writeVarUint(0);
      out.writeUint8(8 | 0x20); // an entry (any content) with a key in its parent
      out.writeVarUint(1); // the parent is a root, by name
      out.writeVarString(root);
      out.writeVarString("k");
      out.writeVarUint(1);
      out.writeAny("v");
    }
    out.writeVarUint(0); // no deletions
    byte[] update = out.toByteArray();
    Doc server = Twins.create(peer, "listed-twice", 1, true, Map.of("secret", "map", "public", "map"));
    Map<String, Object> yjs = peer.request(Map.of("op", "changedRoots", "id", "listed-twice", "update",
        YjsInterop.base64(update)));
    assertThat(yjs.get("roots")).isEqualTo(List.of("public"));
    assertThat(Updates.changedRoots(update, server)).isEqualTo(new Updates.ChangedRoots(Set.of("public"), true));
    server.applyUpdate(update);
    assertThat(server.getMap("secret").size()).isZero();
    assertThat(server.getMap("public").get("k")).isEqualTo("v");
  }

  /**
   * Ranges that overlap each other, as a hostile peer may write 100,000s of them over one client's structs (each was
   * walked over every struct it covers: quadratic), name the same roots as the ranges merged, and a document whose
   * structs they cover are all deleted already does not change.
   */
  @Test
  void changedRootsAndWouldChange_ofDeletedRangesOverEachOther_answerAsForTheirUnion() {
    Doc server = Doc.newBuilder().clientId(1).build();
    server.transact(txn -> {
      for (int i = 0; i < 50; i++) {
        server.getMap("gone").set("k" + i, i);
      }
    });
    server.transact(txn -> {
      for (int i = 0; i < 50; i++) {
        server.getMap("gone").delete("k" + i);
      }
    });
    server.getMap("notes").set("n", 1); // client 1's clock 50
    byte[] overGone = deletions(1, new int[][] {{10, 40}, {0, 50}, {5, 1}, {0, 20}, {30, 20}, {0, 50}});
    assertThat(Updates.wouldChange(overGone, server)).isFalse();
    assertThat(Updates.changedRoots(overGone, server)).isEqualTo(new Updates.ChangedRoots(Set.of(), true));
    byte[] intoNotes = deletions(1, new int[][] {{40, 5}, {0, 50}, {45, 6}, {0, 51}, {50, 1}});
    assertThat(Updates.wouldChange(intoNotes, server)).isTrue();
    assertThat(Updates.changedRoots(intoNotes, server)).isEqualTo(new Updates.ChangedRoots(Set.of("notes"), true));
    server.applyUpdate(intoNotes);
    assertThat(server.getMap("notes").size()).isZero();
  }

  /**
   * An untrusted peer's update is decoded within the room the document has left, as {@code applyUpdate} decodes
   * it: one of subdocument references (a {@code Doc} each, ~85 times their wire bytes) beyond it is refused as it is
   * read, where it was decoded whole (a 16 MiB message: ~1.4 GB).
   */
  @Test
  void changedRoots_withLimits_refusesAnUpdateBeyondTheDocumentsRoom_asApplyUpdateDoes() {
    Doc server = Doc.newBuilder().clientId(1).build();
    server.getMap("m").set("k", "v");
    byte[] before = server.encodeStateAsUpdate();
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(1);
    out.writeVarUint(1_000);
    out.writeVarUint(9);
    out.writeVarUint(0);
    for (int i = 0; i < 1_000; i++) {
      out.writeUint8(9 | 0x20); // a subdocument with a key in its parent
      out.writeVarUint(1);
      out.writeVarString("m");
      out.writeVarString("d" + i);
      out.writeVarString("guid-" + i);
      out.writeAny(Map.of());
    }
    out.writeVarUint(0);
    byte[] subdocuments = out.toByteArray();
    UpdateLimits limits = UpdateLimits.newBuilder().maxDocumentBytes(64 * 1024).build();
    assertThatThrownBy(() -> Updates.changedRoots(subdocuments, server, limits))
        .isInstanceOfSatisfying(LimitExceededException.class,
            e -> assertThat(e.limit()).isEqualTo(LimitExceededException.Limit.DOCUMENT_SIZE));
    assertThatThrownBy(() -> server.applyUpdate(subdocuments, null, limits))
        .isInstanceOf(LimitExceededException.class);
    assertThat(server.encodeStateAsUpdate()).isEqualTo(before);
    // Within the room: the same answer as without limits.
    Doc client = copyOf(server, 2);
    byte[] entry = updateOf(client, () -> client.getMap("m").set("other", 1));
    assertThat(Updates.changedRoots(entry, server, limits)).isEqualTo(Updates.changedRoots(entry, server))
        .isEqualTo(new Updates.ChangedRoots(Set.of("m"), true));
  }

  /** A v1 update of deletions only: {@code client}'s ranges (clock, length) as written. */
  private static byte[] deletions(long client, int[][] ranges) {
    Lib0Encoder out = new Lib0Encoder();
    out.writeVarUint(0);
    out.writeVarUint(1);
    out.writeVarUint(client);
    out.writeVarUint(ranges.length);
    for (int[] range : ranges) {
      out.writeVarUint(range[0]);
      out.writeVarUint(range[1]);
    }
    return out.toByteArray();
  }

  @Test
  void changedRoots_ofAMalformedUpdate_throws() {
    assertThatThrownBy(() -> Updates.changedRoots(new byte[] {1, 1, 5}, Doc.create()))
        .isInstanceOf(DecodingException.class);
  }
}
