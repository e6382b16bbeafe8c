package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Yjs updates, v1 or v2, and integrates them (Yjs {@code readUpdate}, {@code readUpdateV2}).
 *
 * <p>An update is decoded and validated completely before anything is integrated, so a malformed one changes
 * nothing. Integration then follows Yjs: structs of the highest client first, each struct after the structs it
 * depends on (a stack walks dependencies across clients); what cannot be integrated yet becomes {@link Pending}
 * and is retried when an update brings what was missing. Deletions of unknown structs wait the same way.
 */
final class UpdateReader {
  private static final int MAX_CLOCK = Integer.MAX_VALUE;

  private UpdateReader() {}

  /**
   * A decoded, validated update: per client (sorted by client id, each client once) its structs in clock order, and
   * the delete set, or null when it deletes nothing (most updates of a keystroke: no empty set is made for each).
   * Arrays, not a map: most updates hold one client, and this is decoded for every message. {@code weight} is what
   * its structs weigh ({@link HeapWeight}) if it was decoded within a budget, else 0.
   */
  record DecodedUpdate(AbstractStruct[][] blocks, DeleteSet deletes, long weight) {
    /** The structs of {@code client} in this update, or null. */
    AbstractStruct[] structsOf(long client) {
      int lo = 0;
      int hi = blocks.length - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        long c = blocks[mid][0].client;
        if (c < client) {
          lo = mid + 1;
        } else if (c > client) {
          hi = mid - 1;
        } else {
          return blocks[mid];
        }
      }
      return null;
    }
  }

  // ------------------------------------------------------------------------------------------------- decoding

  static DecodedUpdate decode(byte[] update, UpdateFormat format) {
    return decode(update, format, null);
  }

  /**
   * How an update's structs are weighed as they are decoded ({@link HeapWeight}), so that one that would hold too
   * much is refused ({@link LimitExceededException}) before it is all allocated: those that the document whose store
   * is {@code holder} lacks against {@code room}, those it holds already against {@code heldRoom} (a resend
   * integrates nothing; they are not kept either). A null {@code holder} holds nothing.
   */
  record Weighing(long room, StructStore holder, long heldRoom) {}

  /** {@link #decode(byte[], UpdateFormat)}, weighed as {@code weighing} says (null: not weighed). */
  static DecodedUpdate decode(byte[] update, UpdateFormat format, Weighing weighing) {
    Lib0Decoder in = new Lib0Decoder(update);
    try {
      UpdateDecoder d = format.newDecoder(in);
      d.weighAs(weighing);
      List<Listing> listings = readStructs(d);
      DeleteSet ds = readDeleteSet(d, false);
      return new DecodedUpdate(byClient(listings), ds, d.weight);
    } catch (DecodingException | LimitExceededException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new DecodingException("malformed update: " + e.getMessage(), in.offset(), e);
    }
  }

  /**
   * The structs per client, sorted by client. Of a client listed twice the later listing wins, as in Yjs (its map of
   * listings by client), also a listing of no structs; clients left without structs are left out.
   */
  private static AbstractStruct[][] byClient(List<Listing> listings) {
    Listing[] sorted = listings.toArray(new Listing[0]);
    // Stable: of equal clients the later stays later, and is the one kept.
    Arrays.sort(sorted, (a, b) -> Long.compare(a.client, b.client));
    AbstractStruct[][] out = new AbstractStruct[sorted.length][];
    int kept = 0;
    for (int i = 0; i < sorted.length; i++) {
      boolean wins = i + 1 == sorted.length || sorted[i + 1].client != sorted[i].client;
      if (wins && sorted[i].structs.length > 0) {
        out[kept++] = sorted[i].structs;
      }
    }
    return kept == out.length ? out : Arrays.copyOf(out, kept);
  }

  /** Decodes an update into its structs in wire order, for the update algebra (deletions sorted and merged). */
  static UpdateMerger.Stream decodeStream(byte[] update, UpdateFormat format) {
    return decodeStream(update, format, false);
  }

  /**
   * {@link #decodeStream(byte[], UpdateFormat)}; with {@code asWritten}, the deleted ranges exactly as the update
   * lists them (Yjs's {@code readDeleteSet}): in their order, adjacent ones apart, ranges of length 0 kept. Yjs's
   * diff, conversion and obfuscation write them out that way again, and its merge sorts and merges them.
   */
  static UpdateMerger.Stream decodeStream(byte[] update, UpdateFormat format, boolean asWritten) {
    return decodeStream(update, format, asWritten, null);
  }

  /** {@link #decodeStream(byte[], UpdateFormat, boolean)}, weighed as {@code weighing} says (null: not weighed). */
  static UpdateMerger.Stream decodeStream(byte[] update, UpdateFormat format, boolean asWritten,
      Weighing weighing) {
    Lib0Decoder in = new Lib0Decoder(update);
    try {
      UpdateDecoder d = format.newDecoder(in);
      d.weighAs(weighing);
      List<AbstractStruct> structs = new ArrayList<>();
      for (Listing listing : readStructs(d)) {
        structs.addAll(Arrays.asList(listing.structs));
      }
      DeleteSet ds = readDeleteSet(d, asWritten);
      return new UpdateMerger.Stream(structs, ds == null ? new DeleteSet() : ds);
    } catch (DecodingException | LimitExceededException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new DecodingException("malformed update: " + e.getMessage(), in.offset(), e);
    }
  }

  /** Receives the structs of an update one at a time, in wire order ({@link #scan}). */
  interface StructSink {
    void accept(AbstractStruct s);
  }

  /**
   * Reads the structs of an update one at a time, in wire order, handing each to {@code sink} and keeping none, then
   * its delete set (as {@link #decodeStream(byte[], UpdateFormat)} gives it): what only asks a question of an update
   * (the clocks it covers, whether it would change a document) holds one struct at a time, where decoding holds all
   * of them at once (a 16 MiB update of subdocument references holds ~1.4 GB decoded). Validates as decoding does.
   *
   * @throws DecodingException if the update is malformed (the sink may have seen structs before the fault)
   */
  static DeleteSet scan(byte[] update, UpdateFormat format, StructSink sink) {
    Lib0Decoder in = new Lib0Decoder(update);
    try {
      UpdateDecoder d = format.newDecoder(in);
      int numClients = readClientCount(d);
      for (int c = 0; c < numClients; c++) {
        int numStructs = readStructCount(d);
        long client = d.readClient();
        int clock = d.rest.readVarUintAsInt();
        for (int i = 0; i < numStructs; i++) {
          AbstractStruct s = readStruct(d, client, clock);
          sink.accept(s);
          clock += s.length;
        }
      }
      DeleteSet ds = readDeleteSet(d, false);
      return ds == null ? new DeleteSet() : ds;
    } catch (DecodingException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new DecodingException("malformed update: " + e.getMessage(), in.offset(), e);
    }
  }

  /** One listing of an update's struct part: a client and the structs it lists (those already held left out). */
  private record Listing(long client, AbstractStruct[] structs) {}

  private static List<Listing> readStructs(UpdateDecoder d) {
    int numClients = readClientCount(d);
    List<Listing> listings = new ArrayList<>(numClients);
    for (int c = 0; c < numClients; c++) {
      int numStructs = readStructCount(d);
      long client = d.readClient();
      int clock = d.rest.readVarUintAsInt();
      // Those below the holder's clock are skipped by integration, as Yjs skips them: not kept.
      int held = d.holder == null ? 0 : d.holder.getState(client);
      // Sized by the claim only up to a bound: a v2 claim is checked against a budget, not against bytes.
      AbstractStruct[] arr = new AbstractStruct[Math.min(numStructs, 1024)];
      int n = 0;
      for (int i = 0; i < numStructs; i++) {
        AbstractStruct s = readStruct(d, client, clock);
        boolean isHeld = clock < held && clock + s.length <= held;
        d.weigh(s, isHeld);
        clock += s.length;
        if (isHeld) {
          continue;
        }
        if (n == arr.length) {
          arr = Arrays.copyOf(arr, (int) Math.min(numStructs, 2L * arr.length));
        }
        arr[n++] = s;
      }
      listings.add(new Listing(client, n == arr.length ? arr : Arrays.copyOf(arr, n)));
    }
    return listings;
  }

  private static int readClientCount(UpdateDecoder d) {
    int numClients = d.rest.readVarUintAsInt();
    d.checkClientCount(numClients);
    return numClients;
  }

  private static int readStructCount(UpdateDecoder d) {
    int numStructs = d.rest.readVarUintAsInt();
    d.checkStructCount(numStructs);
    return numStructs;
  }

  /** The struct of {@code client} at {@code clock}, checked. */
  private static AbstractStruct readStruct(UpdateDecoder d, long client, int clock) {
    int at = d.offset();
    int info = d.readInfo();
    AbstractStruct s;
    switch (info & Item.CONTENT_REF_MASK) {
      case GC.REF -> s = new GC(client, clock, d.readLen());
      case Skip.REF -> s = new Skip(client, clock, d.rest.readVarUintAsInt());
      default -> s = readItem(d, client, clock, info);
    }
    if (s.length < 0) {
      throw new DecodingException("struct " + client + ":" + clock + " has length " + s.length, at);
    }
    if ((long) clock + s.length > MAX_CLOCK) {
      throw new DecodingException("clock of client " + client + " overflows", at);
    }
    return s;
  }

  private static Item readItem(UpdateDecoder d, long client, int clock, int info) {
    int at = d.offset() - 1;
    ID origin = (info & Item.HAS_ORIGIN) != 0 ? d.readLeftId() : null;
    ID rightOrigin = (info & Item.HAS_RIGHT_ORIGIN) != 0 ? d.readRightId() : null;
    Object parent = null;
    String parentSub = null;
    if ((info & (Item.HAS_ORIGIN | Item.HAS_RIGHT_ORIGIN)) == 0) {
      // Neither neighbour is known, so the parent is written: a root name or the parent type's item id.
      parent = d.readParentInfo() ? d.readString() : d.readLeftId();
      if ((info & Item.HAS_PARENT_SUB) != 0) {
        parentSub = d.readString();
      }
    }
    // A struct can only refer to its own client's earlier clocks: anything else is a forged reference. Its right
    // origin may be its own clock: an item of length 0 before it has that id (Yjs, typing before an empty embed).
    if ((origin != null && origin.client == client && origin.clock >= clock)
        || (rightOrigin != null && rightOrigin.client == client && rightOrigin.clock > clock)
        || (parent instanceof ID p && p.client == client && p.clock >= clock)) {
      throw new DecodingException("struct " + client + ":" + clock + " refers to a later clock of its own client", at);
    }
    Content content = readContent(d, info & Item.CONTENT_REF_MASK);
    return new Item(client, clock, null, origin, null, rightOrigin, parent, parentSub, content);
  }

  private static Content readContent(UpdateDecoder d, int ref) {
    switch (ref) {
      case Content.DELETED:
        return new ContentDeleted(d.readLen());
      case Content.JSON: {
        int len = d.readLen();
        d.checkStringCount(len);
        ArrayList<Object> values = new ArrayList<>(len);
        for (int i = 0; i < len; i++) {
          int at = d.offset();
          values.add(UpdateDecoder.parseJson(d.readString(), at));
        }
        return new ContentJson(values);
      }
      case Content.BINARY:
        return new ContentBinary(d.readBuf());
      case Content.STRING:
        return ContentString.of(d.readString(), d.lastStringWasAscii());
      case Content.EMBED:
        return new ContentEmbed(d.readJson());
      case Content.FORMAT:
        return new ContentFormat(d.readKey(), d.readJson());
      case Content.TYPE:
        return new ContentType(readType(d));
      case Content.ANY: {
        int len = d.readLen();
        d.checkRestCount(len, 1, "values");
        return ContentAny.read(d.rest, len);
      }
      case Content.DOC: {
        String guid = d.readString();
        int at = d.offset();
        Object opts = d.readAny();
        if (opts == null || opts == Undefined.INSTANCE) {
          // Yjs fails here too (it reads opts.shouldLoad)
          throw new DecodingException("subdocument options must not be null or undefined", at);
        }
        // Yjs spreads any other value into new Doc({guid, ...opts}): one that is not an object gives no options.
        @SuppressWarnings("unchecked")
        Map<String, Object> o = opts instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
        // Yjs keeps the options its new Doc took, not those read (ContentDoc's constructor).
        return ContentDoc.of(Doc.subdocument(guid, o));
      }
      default:
        throw d.error("unknown content ref " + ref);
    }
  }

  private static SharedType readType(UpdateDecoder d) {
    int at = d.offset();
    int typeRef = d.readTypeRef();
    return switch (typeRef) {
      case SharedType.ARRAY -> new YArray();
      case SharedType.MAP -> new YMap();
      case SharedType.TEXT -> new YText();
      case SharedType.XML_ELEMENT -> new YXmlElement(d.readKey());
      case SharedType.XML_FRAGMENT -> new YXmlFragment();
      case SharedType.XML_HOOK -> new YXmlHook(d.readKey());
      case SharedType.XML_TEXT -> new YXmlText();
      default -> throw new DecodingException("unknown type ref " + typeRef, at);
    };
  }

  /** The delete set, or null if it lists no range (see {@link #decodeStream(byte[], UpdateFormat, boolean)}). */
  private static DeleteSet readDeleteSet(UpdateDecoder d, boolean asWritten) {
    DeleteSet ds = null;
    int numClients = d.rest.readVarUintAsInt();
    d.checkRestCount(numClients, 2, "delete set clients");
    for (int i = 0; i < numClients; i++) {
      d.resetDsCurVal();
      long client = d.rest.readVarUint();
      int numDeletes = d.rest.readVarUintAsInt();
      d.checkRestCount(numDeletes, 2, "deleted ranges");
      for (int j = 0; j < numDeletes; j++) {
        int at = d.offset();
        long clock = d.readDsClock();
        long len = d.readDsLen();
        if (clock + len > MAX_CLOCK) {
          throw new DecodingException("deleted range " + client + ":" + clock + "+" + len + " overflows", at);
        }
        if (asWritten) {
          if (ds == null) {
            ds = new DeleteSet();
          }
          ds.addRaw(client, (int) clock, (int) len);
        } else if (len > 0) {
          if (ds == null) {
            ds = new DeleteSet();
          }
          // Touching ranges are applied one by one, as Yjs does: a range that starts where an item of length 0
          // stands skips it, one merged with the range before would delete it.
          ds.addRaw(client, (int) clock, (int) len);
        }
      }
    }
    return ds;
  }

  // ---------------------------------------------------------------------------------------------- integration

  /**
   * Integrates a decoded update as Yjs's {@code readUpdateV2} does, but the part of it that would wait (structs,
   * then deletions) is kept only if {@link Pending#weight()} stays within {@code maxPending} with it
   * ({@link Long#MAX_VALUE}: always, as Yjs). A part not kept is dropped as if it had never arrived: nothing that
   * integrated depends on it.
   *
   * @return false if a part that would wait was dropped
   */
  static boolean integrate(Transaction txn, DecodedUpdate update, long maxPending) {
    StructStore store = txn.doc.store;
    Pending pending = store.pending;
    AbstractStruct[][] blocks = update.blocks;
    Map<Long, Integer> missing = null;
    long[] ids = new long[blocks.length];
    ArrayRefs[] refs = new ArrayRefs[blocks.length];
    if (blocks.length > 0) {
      for (int i = 0; i < blocks.length; i++) {
        ids[i] = blocks[i][0].client;
        refs[i] = new ArrayRefs(blocks[i]);
      }
      missing = integrateStructs(txn, store, ids, refs);
    }
    // As in Yjs: whether to retry is decided by what waited before this update's rest joins it.
    boolean retry = pending.hasStructs() && pending.canRetry(store);
    boolean kept = true;
    if (missing != null) {
      Map<Long, List<AbstractStruct>> rest = new HashMap<>();
      for (int i = 0; i < refs.length; i++) {
        if (refs[i].rest != null) {
          rest.put(ids[i], refs[i].rest);
        }
      }
      if (maxPending != Long.MAX_VALUE && pending.weight() + pending.weightOf(rest) > maxPending) {
        kept = false;
      } else {
        pending.addStructs(rest, missing);
      }
    }
    kept &= integrateDeletes(txn, update.deletes, maxPending);
    if (retry) {
      // Yjs applies its pending update again, in this transaction: its structs, then the waiting deletions.
      pending.retry(txn, store);
      integrateDeletes(txn, null, Long.MAX_VALUE);
    }
    return kept;
  }

  /**
   * Applies a delete set (null: none), then the waiting deletions that may apply now; what cannot apply waits (the
   * delete set's part only within {@code maxPending}, see {@link #integrate}).
   *
   * @return false if deletions of the delete set that would wait were dropped
   */
  private static boolean integrateDeletes(Transaction txn, DeleteSet deletes, long maxPending) {
    Pending pending = txn.doc.store.pending;
    DeleteSet dsRest = deletes == null || deletes.isEmpty() ? null : applyDeleteSet(txn, deletes);
    boolean kept = true;
    if (dsRest != null && maxPending != Long.MAX_VALUE
        && pending.weight() + Pending.weightOf(dsRest, pending.deletes) > maxPending) {
      dsRest = null;
      kept = false;
    }
    DeleteSet reachable = pending.deletes.isEmpty() ? null : pending.takeReachableDeletes(txn.doc.store);
    if (reachable != null) {
      DeleteSet reachableRest = applyDeleteSet(txn, reachable);
      if (dsRest == null) {
        dsRest = reachableRest;
      } else if (reachableRest != null) {
        dsRest.addAll(reachableRest);
      }
    }
    if (dsRest != null) {
      pending.addDeletes(dsRest);
    }
    return kept;
  }

  /**
   * One client's structs for {@link #integrateStructs}, taken in clock order (Yjs's {@code {i, refs}}), and what of
   * them is left to wait.
   */
  abstract static class ClientRefs {
    abstract boolean hasNext();

    abstract AbstractStruct next();

    /** The struct taken last and all after it wait (Yjs: {@code i--; rest = refs.slice(i)}); none is taken again. */
    abstract void restFromLastTaken();

    /** Only {@code s} waits (Yjs, for a client met again on the stack after its structs were put aside). */
    abstract void restIs(AbstractStruct s);
  }

  /** The structs of a decoded update. */
  private static final class ArrayRefs extends ClientRefs {
    private final AbstractStruct[] refs;
    private int i;
    private boolean cleared;
    List<AbstractStruct> rest;

    ArrayRefs(AbstractStruct[] refs) {
      this.refs = refs;
    }

    @Override
    boolean hasNext() {
      return !cleared && i < refs.length;
    }

    @Override
    AbstractStruct next() {
      return refs[i++];
    }

    @Override
    void restFromLastTaken() {
      i--;
      rest = Arrays.asList(refs).subList(i, refs.length);
      cleared = true;
    }

    @Override
    void restIs(AbstractStruct s) {
      rest = List.of(s);
      cleared = true;
    }
  }

  /**
   * Integrates structs in Yjs's order ({@code integrateStructs}): clients from the highest id down, each struct after
   * the structs of other clients it depends on (a stack walks dependencies across clients). {@code ids} are the
   * clients, sorted and distinct, and {@code input} their structs. What cannot be integrated is left in
   * {@code input}'s refs as their rest. Returns the lowest missing clock per client that blocks a rest, or null when
   * nothing is left.
   */
  static Map<Long, Integer> integrateStructs(Transaction txn, StructStore store, long[] ids, ClientRefs[] input) {
    if (ids.length == 0) {
      return null;
    }
    // Clients put aside are set to null here (Yjs deletes them from its map); input keeps them all.
    ClientRefs[] clientRefs = input.clone();
    // Higher client ids first: in conflicts, the lower id is then less likely to conflict.
    int top = ids.length - 1;
    List<AbstractStruct> stack = null; // made when a struct must wait for another
    Map<Long, Integer> missingSv = null;

    ClientRefs current = null;
    for (; top >= 0; top--) {
      ClientRefs t = clientRefs[top];
      if (t != null && t.hasNext()) {
        current = t;
        break;
      }
    }
    if (current == null) {
      return null;
    }
    AbstractStruct head = current.next();
    while (true) {
      if (!(head instanceof Skip)) {
        long headClient = head.client;
        // Yjs reads a map of the clocks integrated so far; the store's state is the same clock.
        int localClock = store.getState(headClient);
        int offset = localClock - head.clock;
        if (offset < 0) {
          // An earlier update of the same client is missing.
          stack = push(stack, head);
          missingSv = updateMissing(missingSv, headClient, head.clock - 1);
          addStackToRest(stack, ids, clientRefs, input);
        } else {
          long missing = head.getMissing(txn, store);
          if (missing != -1) {
            stack = push(stack, head);
            int at = Arrays.binarySearch(ids, missing);
            ClientRefs refs = at < 0 ? null : clientRefs[at];
            if (refs == null || !refs.hasNext()) {
              // Depends on an update that has not arrived.
              missingSv = updateMissing(missingSv, missing, store.getState(missing));
              addStackToRest(stack, ids, clientRefs, input);
            } else {
              head = refs.next();
              continue;
            }
          } else if (offset == 0 || offset < head.length) {
            head.integrate(txn, offset);
          }
        }
      }
      if (stack != null && !stack.isEmpty()) {
        head = stack.remove(stack.size() - 1);
      } else if (current != null && current.hasNext()) {
        head = current.next();
      } else {
        // The next client with structs left (clients put aside are no longer in clientRefs).
        current = null;
        for (; top >= 0; top--) {
          ClientRefs t = clientRefs[top];
          if (t != null && t.hasNext()) {
            current = t;
            break;
          }
        }
        if (current == null) {
          break;
        }
        head = current.next();
      }
    }
    return missingSv;
  }

  private static List<AbstractStruct> push(List<AbstractStruct> stack, AbstractStruct s) {
    List<AbstractStruct> out = stack == null ? new ArrayList<>() : stack;
    out.add(s);
    return out;
  }

  private static Map<Long, Integer> updateMissing(Map<Long, Integer> missingSv, long client, int clock) {
    Map<Long, Integer> m = missingSv == null ? new HashMap<>() : missingSv;
    m.merge(client, clock, Math::min);
    return m;
  }

  private static void addStackToRest(List<AbstractStruct> stack, long[] ids, ClientRefs[] clientRefs,
      ClientRefs[] input) {
    for (AbstractStruct item : stack) {
      int at = Arrays.binarySearch(ids, item.client);
      ClientRefs inapplicable = clientRefs[at];
      if (inapplicable != null) {
        clientRefs[at] = null;
        inapplicable.restFromLastTaken();
      } else {
        input[at].restIs(item);
      }
    }
    stack.clear();
  }

  /**
   * Deletes what the delete set names; returns the ranges of structs this document does not have yet, or null if
   * there are none.
   */
  static DeleteSet applyDeleteSet(Transaction txn, DeleteSet ds) {
    DeleteSet unapplied = null;
    StructStore store = txn.doc.store;
    for (int p = 0; p < ds.clients.end(); p++) {
      long client = ds.clients.keyAt(p);
      DeleteSet.Ranges ranges = ds.clients.valueAt(p);
      if (ranges == null) {
        continue;
      }
      // Each range walks the structs it covers, deleted or not: ranges over each other, which Yjs never writes (it
      // sorts and merges them), walked the same structs once per range (200,000 ranges over one client's 50,000
      // deleted map entries, an 800 KB update: 283 s of the document's thread). Sorted, with those that overlap
      // merged (touching ones stay apart), they delete the same structs; only the order in which such an update's
      // deletions reach the observers of several types may differ from Yjs's.
      ranges.sortAndMergeOverlaps();
      StructList structs = store.list(client);
      int state = store.getState(client);
      for (int r = 0; r < ranges.count(); r++) {
        int clock = ranges.clock(r);
        int clockEnd = clock + ranges.len(r);
        if (clock < state) {
          if (state < clockEnd) {
            unapplied = addUnapplied(unapplied, client, state, clockEnd - state);
          }
          int index = structs.findIndex(clock);
          AbstractStruct s = structs.get(index);
          if (!s.isDeleted() && s.clock < clock) {
            structs.insert(index + 1, ((Item) s).split(txn, clock - s.clock));
            index++;
          }
          while (index < structs.size) {
            s = structs.get(index++);
            if (s.clock >= clockEnd) {
              break;
            }
            if (!s.isDeleted()) {
              Item item = (Item) s;
              if (clockEnd < s.clock + s.length) {
                structs.insert(index, item.split(txn, clockEnd - s.clock));
              }
              item.delete(txn);
            }
          }
        } else {
          unapplied = addUnapplied(unapplied, client, clock, clockEnd - clock);
        }
      }
    }
    return unapplied;
  }

  private static DeleteSet addUnapplied(DeleteSet unapplied, long client, int clock, int len) {
    DeleteSet out = unapplied == null ? new DeleteSet() : unapplied;
    out.add(client, clock, len);
    return out;
  }
}
