package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Operations on encoded Yjs updates that need no document, byte-identical to Yjs's {@code mergeUpdates},
 * {@code diffUpdate}, {@code encodeStateVectorFromUpdate}, their {@code V2} variants and
 * {@code convertUpdateFormatV1ToV2} / {@code V2ToV1}. A server uses them to compact stored updates or to answer a
 * peer without loading the document.
 *
 * <p>One difference, where Yjs loses content: an item of length 0 (Yjs's {@code insertEmbed(i, "")}) shares its id
 * with the struct after it, and what was typed before it names it as its right origin. {@link #merge} keeps such an
 * item whatever the order of the updates, and {@link #diff} keeps a client's first items of length 0 for a peer whose
 * state vector does not know the client, as {@link Doc#encodeStateAsUpdate()} writes them; Yjs drops them there.
 *
 * <p>Methods without a suffix take and return v1 updates (what y-protocols carries); those ending in {@code V2}
 * take and return v2 updates. A v2 input is subject to the struct limit described at
 * {@link Doc#applyUpdateV2(byte[], Object)}.
 * {@link #wouldChange} also answers whether a v1 update would change a given document, without applying it.
 *
 * <p>Stateless and thread-safe ({@link #wouldChange} reads its document: call it on the document's thread).
 */
public final class Updates {
  private Updates() {}

  /**
   * A new update that contains nothing: no structs and no deletions ({@code [0, 0]}), what a peer sends in sync
   * step 2 when it has nothing to give (a read-only client, say).
   */
  public static byte[] empty() {
    return new byte[] {0, 0};
  }

  /**
   * Whether applying {@code update} to {@code doc} would change it, without applying it: false when every struct
   * of the update is in the document already and every range it deletes is deleted there already. A server tells a
   * read-only client's edits from what it sends without editing: its answer to sync step 1 (no structs, but its
   * whole delete set, as Yjs always writes it), or structs the server has that a second provider passed on.
   *
   * <p>A deletion of something the document has not seen yet counts as a change (the document would keep it until
   * what it deletes arrives). The document is only read, and the update one struct at a time (a server asks this of
   * a read-only client's updates before weighing them).
   *
   * @throws DecodingException if the update is malformed
   */
  public static boolean wouldChange(byte[] update, Doc doc) {
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(doc, "doc");
    StructStore store = doc.store;
    boolean[] newStructs = {false};
    // One struct at a time: the whole update is read (a malformed one is refused) without holding it decoded.
    DeleteSet deletes = UpdateReader.scan(update, UpdateFormat.V1, s -> {
      // An item of length 0 adds a client the document does not know, though not a clock.
      if (!(s instanceof Skip) && ((long) s.clock + s.length > store.getState(s.client)
          || (s.length == 0 && store.list(s.client) == null))) {
        newStructs[0] = true;
      }
    });
    if (newStructs[0]) {
      return true;
    }
    deletes.sortAndMergeOverlaps(); // each struct looked at about once, however the ranges overlap
    for (Map.Entry<Long, DeleteSet.Ranges> e : deletes.clients.entrySet()) {
      long client = e.getKey();
      DeleteSet.Ranges ranges = e.getValue();
      int state = store.getState(client);
      for (int r = 0; r < ranges.count(); r++) {
        int clock = ranges.clock(r);
        long end = (long) clock + ranges.len(r);
        if (end > state) {
          return true;
        }
        StructList structs = store.list(client);
        for (int i = structs.findIndex(clock); i < structs.size && structs.get(i).clock < end; i++) {
          if (!structs.get(i).isDeleted()) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /**
   * The root types of {@code doc} that applying {@code update} to it would change, without applying it: the roots
   * under which it adds structs (directly or in types nested at any depth) or deletes items, the roots a Yjs
   * observer of the transaction would see in {@code transaction.changed} and {@code changedParentTypes}. Parents and
   * neighbours are looked up in the document and in the update itself, as Yjs integrates them. Structs the document
   * has already and items it has deleted already change nothing; nor does a change inside a type that is deleted
   * already, or next to a garbage-collected struct. A server asks this of a client's update to refuse writes to
   * roots that only the server writes.
   *
   * <p>Part of an update may not be placeable yet: a struct whose parent or neighbour is neither in the document nor
   * in the update, or a deletion of clocks neither holds. Applied, that part waits in the document and lands where
   * what it needs turns out to be, which may be any root; the answer is then not {@link ChangedRoots#complete()},
   * and {@link ChangedRoots#mayChange} says true for every root. Updates a document applies when pending structs
   * are completed by this one are not counted (they were asked about when they came).
   *
   * <p>The update is decoded whole (to place structs that refer to each other), as {@link Doc#applyUpdate(byte[])}
   * decodes it; of an untrusted peer's, ask {@link #changedRoots(byte[], Doc, UpdateLimits)}. The document is only
   * read: call it on the document's thread.
   *
   * @throws DecodingException if the update is malformed
   */
  public static ChangedRoots changedRoots(byte[] update, Doc doc) {
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(doc, "doc");
    return new ChangedRootsScan(doc).scan(UpdateReader.decode(update, UpdateFormat.V1));
  }

  /**
   * {@link #changedRoots(byte[], Doc)} of an untrusted peer's update, decoded as
   * {@link Doc#applyUpdate(byte[], Object, UpdateLimits)} decodes it: within the room {@code doc} has left under
   * {@link UpdateLimits#maxDocumentBytes()}, so that an update that would hold more (a 16 MiB message of subdocument
   * references decodes to ~1.4 GB) is refused as it is read, having allocated about that room. What the answer costs
   * beyond decoding is about linear in the update and in the structs it deletes. The other limits are left to
   * {@code applyUpdate}: the walks here do not recurse, whatever the depth.
   *
   * @throws DecodingException if the update is malformed
   * @throws LimitExceededException ({@link LimitExceededException.Limit#DOCUMENT_SIZE}) if the update's structs weigh
   *     more than the room {@code doc} has left, as {@code applyUpdate} would throw
   */
  public static ChangedRoots changedRoots(byte[] update, Doc doc, UpdateLimits limits) {
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(doc, "doc");
    Objects.requireNonNull(limits, "limits");
    return new ChangedRootsScan(doc).scan(doc.decodeWithinRoom(update, limits.maxDocumentBytes()));
  }

  /**
   * The root types an update would change ({@link #changedRoots}).
   *
   * @param names the roots it would change, in name order (unmodifiable)
   * @param complete whether every part of the update could be placed; if not, a part waits for what it needs and
   *     may land under any root
   */
  public record ChangedRoots(Set<String> names, boolean complete) {
    public ChangedRoots {
      names = Collections.unmodifiableSet(new TreeSet<>(names));
    }

    /** Whether the update may change root {@code name}: it changes it, or part of it may land anywhere. */
    public boolean mayChange(String name) {
      Objects.requireNonNull(name, "name");
      return !complete || names.contains(name);
    }
  }

  /**
   * Whether {@code state} (a v1 update, usually a whole document's {@link Doc#encodeStateAsUpdate()}) already holds
   * everything each of {@code updates} holds, read from the bytes alone: every struct of each update is among the
   * state's (counted from clock 0 without gaps, as Yjs's {@code encodeStateVectorFromUpdate} counts) and every range
   * it deletes is within the state's delete set. Then applying any of them to a document loaded from {@code state}
   * changes nothing ({@link #wouldChange} would answer false for each), and {@code state} can stand for them all,
   * as a store's compaction wants, without loading it into a document. The state is decoded once for all the
   * updates. A state whose delete set leaves out content it holds as deleted (Yjs never writes one) gets a false
   * where a document would not change: the answer errs only towards false.
   *
   * @throws DecodingException if the state or an update is malformed
   */
  public static boolean holdsAll(byte[] state, List<byte[]> updates) {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(updates, "updates");
    UpdateMerger.Stream held = UpdateReader.decodeStream(state, UpdateFormat.V1);
    StateVector clocks = UpdateMerger.stateVector(held);
    // Items of length 0 take no clock: the state holds one only where it has an item of length 0 at that id.
    Set<ID> empty = new HashSet<>();
    for (AbstractStruct s : held.structs()) {
      if (s.length == 0) {
        empty.add(new ID(s.client, s.clock));
      }
    }
    DeleteSet deleted = held.deletes();
    deleted.sortAndMerge();
    for (byte[] update : updates) {
      UpdateMerger.Stream decoded = UpdateReader.decodeStream(Objects.requireNonNull(update, "update"),
          UpdateFormat.V1);
      for (AbstractStruct s : decoded.structs()) {
        if (!(s instanceof Skip) && ((long) s.clock + s.length > clocks.get(s.client)
            || (s.length == 0 && !empty.contains(new ID(s.client, s.clock))))) {
          return false;
        }
      }
      for (Map.Entry<Long, DeleteSet.Ranges> e : decoded.deletes().clients.entrySet()) {
        DeleteSet.Ranges ranges = e.getValue();
        DeleteSet.Ranges in = deleted.clients.get((long) e.getKey());
        for (int r = 0; r < ranges.count(); r++) {
          if (ranges.len(r) > 0 && (in == null || !in.containsRange(ranges.clock(r), ranges.len(r)))) {
            return false;
          }
        }
      }
    }
    return true;
  }

  /**
   * Merges v1 updates into one that contains all of them (Yjs {@code mergeUpdates}). Merging is cheap, but unlike
   * applying to a {@link Doc} it does not garbage collect or resolve anything.
   *
   * @throws DecodingException if an update is malformed
   */
  public static byte[] merge(List<byte[]> updates) {
    return merge(updates, UpdateFormat.V1);
  }

  /**
   * Merges v2 updates into one v2 update that contains all of them (Yjs {@code mergeUpdatesV2}).
   *
   * @throws DecodingException if an update is malformed
   */
  public static byte[] mergeV2(List<byte[]> updates) {
    return merge(updates, UpdateFormat.V2);
  }

  private static byte[] merge(List<byte[]> updates, UpdateFormat format) {
    Objects.requireNonNull(updates, "updates");
    if (updates.isEmpty()) {
      // Yjs merges no updates into the update that holds nothing
      return format == UpdateFormat.V1 ? empty() : new UpdateEncoderV2().emptyUpdate();
    }
    if (updates.size() == 1) {
      return Objects.requireNonNull(updates.get(0), "update").clone();
    }
    List<UpdateMerger.Stream> streams = new ArrayList<>(updates.size());
    for (byte[] u : updates) {
      streams.add(UpdateReader.decodeStream(Objects.requireNonNull(u, "update"), format, true));
    }
    return UpdateMerger.merge(streams, format);
  }

  /**
   * The part of a v1 {@code update} that a peer with the encoded {@code stateVector} lacks (Yjs {@code diffUpdate}).
   *
   * @throws DecodingException if the update or the state vector is malformed
   */
  public static byte[] diff(byte[] update, byte[] stateVector) {
    return diff(update, stateVector, UpdateFormat.V1);
  }

  /**
   * The part of a v2 {@code update} that a peer with the encoded {@code stateVector} lacks, as a v2 update (Yjs
   * {@code diffUpdateV2}; state vectors are the same in both formats).
   *
   * @throws DecodingException if the update or the state vector is malformed
   */
  public static byte[] diffV2(byte[] update, byte[] stateVector) {
    return diff(update, stateVector, UpdateFormat.V2);
  }

  private static byte[] diff(byte[] update, byte[] stateVector, UpdateFormat format) {
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(stateVector, "stateVector");
    StateVector sv = StateVector.decode(stateVector);
    return UpdateMerger.diff(UpdateReader.decodeStream(update, format, true), sv, format);
  }

  /**
   * The state vector of what a v1 update contains (Yjs {@code encodeStateVectorFromUpdate}): for each client, the
   * clock up to which the update holds every struct from clock 0.
   *
   * @throws DecodingException if the update is malformed
   */
  public static StateVector stateVector(byte[] update) {
    Objects.requireNonNull(update, "update");
    return UpdateMerger.stateVector(UpdateReader.decodeStream(update, UpdateFormat.V1));
  }

  /**
   * The state vector of what a v2 update contains (Yjs {@code encodeStateVectorFromUpdateV2}; encode it with
   * {@link StateVector#encode()}).
   *
   * @throws DecodingException if the update is malformed
   */
  public static StateVector stateVectorV2(byte[] update) {
    Objects.requireNonNull(update, "update");
    return UpdateMerger.stateVector(UpdateReader.decodeStream(update, UpdateFormat.V2));
  }

  /**
   * A v1 update written as v2 (Yjs {@code convertUpdateFormatV1ToV2}): the same structs and deletions. Embed and
   * format values, which v1 holds as JSON strings, are written as lib0 values, as Yjs writes them.
   *
   * @throws DecodingException if the update is malformed
   */
  public static byte[] convertV1ToV2(byte[] update) {
    Objects.requireNonNull(update, "update");
    return UpdateMerger.convert(UpdateReader.decodeStream(update, UpdateFormat.V1, true), UpdateFormat.V2);
  }

  /**
   * A v2 update written as v1 (Yjs {@code convertUpdateFormatV2ToV1}). Embed and format values are written as
   * JSON, as Yjs writes them ({@code JSON.stringify}: binary becomes an object of its indices, {@code undefined} in
   * an object is left out). A v2 embed or format value that holds a bigint is refused when it is decoded, here and
   * by {@link Doc#applyUpdateV2}: JSON cannot hold it, and Yjs would throw when writing it as v1.
   *
   * @throws DecodingException if the update is malformed
   */
  public static byte[] convertV2ToV1(byte[] update) {
    Objects.requireNonNull(update, "update");
    return UpdateMerger.convert(UpdateReader.decodeStream(update, UpdateFormat.V2, true), UpdateFormat.V1);
  }

  /**
   * Which clocks a v1 update covers (Yjs {@code parseUpdateMeta}): per client, in the update's order, the first
   * clock ({@code from}) and the clock after its last struct ({@code to}); Skips count as covered.
   *
   * @param from each client's first clock in the update
   * @param to each client's clock after its last struct in the update
   */
  public record UpdateMeta(Map<Long, Integer> from, Map<Long, Integer> to) {}

  /**
   * The v1 update without the structs of {@code clients}, its delete set kept whole: what is left of it when
   * those clients' part is refused. (Yjs {@code diffUpdate} against a state vector that holds all of their clocks.)
   *
   * @throws DecodingException if the update is malformed
   */
  public static byte[] withoutClients(byte[] update, Collection<Long> clients) {
    return withoutClients(update, clients, null);
  }

  /**
   * {@link #withoutClients(byte[], Collection)}, weighed as it is decoded ({@code weighing}; null: not weighed):
   * {@link Doc#withoutClients} passes the room the document has left, and leaves out what it holds already.
   */
  static byte[] withoutClients(byte[] update, Collection<Long> clients, UpdateReader.Weighing weighing) {
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(clients, "clients");
    StateVector all = StateVector.empty();
    for (long client : clients) {
      all.set(client, Integer.MAX_VALUE);
    }
    return UpdateMerger.diff(UpdateReader.decodeStream(update, UpdateFormat.V1, true, weighing), all,
        UpdateFormat.V1);
  }

  /**
   * The clock ranges a v1 update covers (Yjs {@code parseUpdateMeta}). Reads one struct at a time: the memory it
   * takes does not grow with the update.
   *
   * @throws DecodingException if the update is malformed
   */
  public static UpdateMeta parseMeta(byte[] update) {
    Objects.requireNonNull(update, "update");
    UpdateMerger.Meta meta = new UpdateMerger.Meta();
    UpdateReader.scan(update, UpdateFormat.V1, meta);
    return meta.meta();
  }

  /**
   * {@link #parseMeta(byte[])}'s answer for a well-formed v1 update, read from the structs' headers and the lengths of
   * their contents without decoding them: what it allocates grows with the clients the update names, not with its
   * structs (parseMeta builds each struct, a subdocument reference into a {@code Doc}: ~150 MB for a 1.7 MB update
   * of them). For a server that must know whose clocks an update advances before it decodes it within its limits.
   *
   * <p>The content it skips is not checked: an update this answers may still be malformed (a string that is not
   * UTF-8, JSON that does not parse, a bad delete set), which applying it or {@link #parseMeta} would refuse.
   *
   * @throws DecodingException if the structure that the clocks depend on is malformed
   */
  public static UpdateMeta clockRanges(byte[] update) {
    Objects.requireNonNull(update, "update");
    return ClockScan.scan(update);
  }

  /**
   * The v1 update with all content replaced by stand-ins of the same shape (Yjs {@code obfuscateUpdate} with its
   * defaults: formatting, subdocuments and XML names obfuscated too), for sharing a document's structure in a bug
   * report without its content. Applying it gives a document with the same structure and lengths.
   *
   * @throws DecodingException if the update is malformed
   */
  public static byte[] obfuscate(byte[] update) {
    return obfuscate(update, true, true, true);
  }

  /**
   * {@link #obfuscate(byte[])} with Yjs's options: whether to obfuscate formatting attributes, subdocument guids
   * and options, and XML node and hook names.
   *
   * @throws DecodingException if the update is malformed
   */
  public static byte[] obfuscate(byte[] update, boolean formatting, boolean subdocs, boolean xml) {
    Objects.requireNonNull(update, "update");
    return UpdateMerger.transform(UpdateReader.decodeStream(update, UpdateFormat.V1, true), UpdateFormat.V1,
        new Obfuscator(formatting, subdocs, xml));
  }

  /**
   * {@link #parseMeta(byte[])} of a v2 update (Yjs {@code parseUpdateMetaV2}).
   *
   * @throws DecodingException if the update is malformed
   */
  public static UpdateMeta parseMetaV2(byte[] update) {
    Objects.requireNonNull(update, "update");
    UpdateMerger.Meta meta = new UpdateMerger.Meta();
    UpdateReader.scan(update, UpdateFormat.V2, meta);
    return meta.meta();
  }

  /**
   * {@link #obfuscate(byte[], boolean, boolean, boolean)} of a v2 update, giving a v2 update (Yjs
   * {@code obfuscateUpdateV2}).
   *
   * @throws DecodingException if the update is malformed
   */
  public static byte[] obfuscateV2(byte[] update, boolean formatting, boolean subdocs, boolean xml) {
    Objects.requireNonNull(update, "update");
    return UpdateMerger.transform(UpdateReader.decodeStream(update, UpdateFormat.V2, true), UpdateFormat.V2,
        new Obfuscator(formatting, subdocs, xml));
  }

  /**
   * The structs and delete set of a v1 update, for inspection (Yjs {@code decodeUpdate}).
   *
   * @throws DecodingException if the update is malformed
   */
  public static DecodedUpdate decode(byte[] update) {
    return DecodedUpdate.decode(update, UpdateFormat.V1);
  }

  /**
   * The structs and delete set of a v2 update, for inspection (Yjs {@code decodeUpdateV2}).
   *
   * @throws DecodingException if the update is malformed or holds more structs than its size allows
   */
  public static DecodedUpdate decodeV2(byte[] update) {
    return DecodedUpdate.decode(update, UpdateFormat.V2);
  }

  /**
   * A v1 update's structs and delete set as text, one struct a line (Yjs {@code logUpdate}, which prints them to
   * the console; log this where you want it).
   *
   * @throws DecodingException if the update is malformed
   */
  public static String log(byte[] update) {
    return decode(update).toString();
  }

  /**
   * A v2 update's structs and delete set as text (Yjs {@code logUpdateV2}).
   *
   * @throws DecodingException if the update is malformed
   */
  public static String logV2(byte[] update) {
    return decodeV2(update).toString();
  }
}
