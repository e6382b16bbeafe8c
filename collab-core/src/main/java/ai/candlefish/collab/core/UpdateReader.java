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

  /** A decoded, validated update: structs per client in clock order, and the delete set. */
  record DecodedUpdate(Map<Long, AbstractStruct[]> structs, DeleteSet deletes) {}

  // ------------------------------------------------------------------------------------------------- decoding

  static DecodedUpdate decode(byte[] update, UpdateFormat format) {
    Lib0Decoder in = new Lib0Decoder(update);
    try {
      UpdateDecoder d = format.newDecoder(in);
      List<AbstractStruct[]> blocks = readStructs(d);
      DeleteSet ds = readDeleteSet(d);
      Map<Long, AbstractStruct[]> structs = new HashMap<>(Math.max(4, blocks.size() * 2));
      for (AbstractStruct[] block : blocks) {
        if (block.length > 0) {
          // A client listed twice: the later list wins, as in Yjs.
          structs.put(block[0].client, block);
        }
      }
      return new DecodedUpdate(structs, ds);
    } catch (DecodingException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new DecodingException("malformed update: " + e.getMessage(), in.offset(), e);
    }
  }

  /** Decodes an update into its structs in wire order, for the update algebra. */
  static UpdateMerger.Stream decodeStream(byte[] update, UpdateFormat format) {
    Lib0Decoder in = new Lib0Decoder(update);
    try {
      UpdateDecoder d = format.newDecoder(in);
      List<AbstractStruct> structs = new ArrayList<>();
      for (AbstractStruct[] block : readStructs(d)) {
        structs.addAll(Arrays.asList(block));
      }
      return new UpdateMerger.Stream(structs, readDeleteSet(d));
    } catch (DecodingException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new DecodingException("malformed update: " + e.getMessage(), in.offset(), e);
    }
  }

  private static List<AbstractStruct[]> readStructs(UpdateDecoder d) {
    int numClients = d.rest.readVarUintAsInt();
    d.checkClientCount(numClients);
    List<AbstractStruct[]> blocks = new ArrayList<>(numClients);
    for (int c = 0; c < numClients; c++) {
      int numStructs = d.rest.readVarUintAsInt();
      d.checkStructCount(numStructs);
      long client = d.readClient();
      int clock = d.rest.readVarUintAsInt();
      // Sized by the claim only up to a bound: a v2 claim is checked against a budget, not against bytes.
      AbstractStruct[] arr = new AbstractStruct[Math.min(numStructs, 1024)];
      for (int i = 0; i < numStructs; i++) {
        int at = d.offset();
        int info = d.readInfo();
        AbstractStruct s;
        switch (info & Item.CONTENT_REF_MASK) {
          case GC.REF -> s = new GC(client, clock, d.readLen());
          case Skip.REF -> s = new Skip(client, clock, d.rest.readVarUintAsInt());
          default -> s = readItem(d, client, clock, info);
        }
        if (s.length <= 0) {
          throw new DecodingException("struct " + client + ":" + clock + " has length " + s.length, at);
        }
        if ((long) clock + s.length > MAX_CLOCK) {
          throw new DecodingException("clock of client " + client + " overflows", at);
        }
        if (i == arr.length) {
          arr = Arrays.copyOf(arr, (int) Math.min(numStructs, 2L * arr.length));
        }
        arr[i] = s;
        clock += s.length;
      }
      blocks.add(arr);
    }
    return blocks;
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
    // A struct can only refer to its own client's earlier clocks: anything else is a forged reference.
    if ((origin != null && origin.client == client && origin.clock >= clock)
        || (rightOrigin != null && rightOrigin.client == client && rightOrigin.clock >= clock)
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
        return new ContentString(d.readString());
      case Content.EMBED:
        return new ContentEmbed(d.readJson());
      case Content.FORMAT:
        return new ContentFormat(d.readKey(), d.readJson());
      case Content.TYPE:
        return new ContentType(readType(d));
      case Content.ANY: {
        int len = d.readLen();
        d.checkRestCount(len, 1, "values");
        ArrayList<Object> values = new ArrayList<>(len);
        for (int i = 0; i < len; i++) {
          values.add(d.readAny());
        }
        return new ContentAny(values);
      }
      case Content.DOC: {
        String guid = d.readString();
        int at = d.offset();
        Object opts = d.readAny();
        if (!(opts instanceof Map<?, ?> map)) {
          throw new DecodingException("subdocument options must be an object", at);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> o = (Map<String, Object>) map;
        return new ContentDoc(Doc.subdocument(guid, o), o);
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

  private static DeleteSet readDeleteSet(UpdateDecoder d) {
    DeleteSet ds = new DeleteSet();
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
        if (len > 0) {
          ds.add(client, (int) clock, (int) len);
        }
      }
    }
    return ds;
  }

  // ---------------------------------------------------------------------------------------------- integration

  static void integrate(Transaction txn, DecodedUpdate update) {
    StructStore store = txn.doc.store;
    Pending pending = store.pending;
    Rest rest = integrateStructs(txn, store, update.structs);
    boolean retry = pending.update != null && pending.canRetry(store);
    if (rest != null) {
      pending.addStructs(encodeRest(rest.structs), rest.missing);
    }
    DeleteSet dsRest = applyDeleteSet(txn, update.deletes);
    DeleteSet reachable = pending.deletes.isEmpty() ? null : pending.takeReachableDeletes(store);
    if (reachable != null) {
      dsRest.addAll(applyDeleteSet(txn, reachable));
    }
    pending.addDeletes(dsRest);
    if (retry) {
      integrate(txn, decode(pending.takeUpdate(), Pending.FORMAT));
    }
  }

  /** Encodes structs that could not be integrated (Yjs keeps them as an update too). */
  private static byte[] encodeRest(Map<Long, List<AbstractStruct>> rest) {
    UpdateEncoder encoder = Pending.FORMAT.newEncoder();
    List<Long> clients = new ArrayList<>(rest.keySet());
    clients.sort((a, b) -> Long.compare(b, a));
    encoder.writeVarUint(clients.size());
    for (Long client : clients) {
      List<AbstractStruct> structs = rest.get(client);
      encoder.writeVarUint(structs.size());
      encoder.writeClient(client);
      encoder.writeVarUint(structs.get(0).clock);
      for (AbstractStruct s : structs) {
        s.write(encoder, 0);
      }
    }
    encoder.writeVarUint(0);
    return encoder.toByteArray();
  }

  private record Rest(Map<Long, List<AbstractStruct>> structs, Map<Long, Integer> missing) {}

  private static final class ClientRefs {
    AbstractStruct[] refs;
    int i;

    ClientRefs(AbstractStruct[] refs) {
      this.refs = refs;
    }
  }

  private static final AbstractStruct[] NONE = new AbstractStruct[0];

  private static Rest integrateStructs(Transaction txn, StructStore store, Map<Long, AbstractStruct[]> input) {
    if (input.isEmpty()) {
      return null;
    }
    Map<Long, ClientRefs> clientRefs = new HashMap<>();
    for (Map.Entry<Long, AbstractStruct[]> e : input.entrySet()) {
      clientRefs.put(e.getKey(), new ClientRefs(e.getValue()));
    }
    // Higher client ids first: in conflicts, the lower id is then less likely to conflict.
    List<Long> ids = new ArrayList<>(clientRefs.keySet());
    ids.sort(Long::compare);

    List<AbstractStruct> stack = new ArrayList<>();
    Map<Long, List<AbstractStruct>> restStructs = new HashMap<>();
    Map<Long, Integer> missingSv = new HashMap<>();
    Map<Long, Integer> state = new HashMap<>();

    ClientRefs current = nextTarget(ids, clientRefs);
    if (current == null) {
      return null;
    }
    AbstractStruct head = current.refs[current.i++];
    while (true) {
      if (!(head instanceof Skip)) {
        long headClient = head.client;
        int localClock = state.computeIfAbsent(headClient, store::getState);
        int offset = localClock - head.clock;
        if (offset < 0) {
          // An earlier update of the same client is missing.
          stack.add(head);
          missingSv.merge(headClient, head.clock - 1, Math::min);
          addStackToRest(stack, clientRefs, ids, restStructs);
        } else {
          long missing = head.getMissing(txn, store);
          if (missing != -1) {
            stack.add(head);
            ClientRefs refs = clientRefs.get(missing);
            if (refs == null || refs.i == refs.refs.length) {
              // Depends on an update that has not arrived.
              missingSv.merge(missing, store.getState(missing), Math::min);
              addStackToRest(stack, clientRefs, ids, restStructs);
            } else {
              head = refs.refs[refs.i++];
              continue;
            }
          } else if (offset == 0 || offset < head.length) {
            head.integrate(txn, offset);
            state.put(headClient, head.clock + head.length);
          }
        }
      }
      if (!stack.isEmpty()) {
        head = stack.remove(stack.size() - 1);
      } else if (current != null && current.i < current.refs.length) {
        head = current.refs[current.i++];
      } else {
        current = nextTarget(ids, clientRefs);
        if (current == null) {
          break;
        }
        head = current.refs[current.i++];
      }
    }
    return restStructs.isEmpty() ? null : new Rest(restStructs, missingSv);
  }

  private static ClientRefs nextTarget(List<Long> ids, Map<Long, ClientRefs> clientRefs) {
    while (!ids.isEmpty()) {
      ClientRefs t = clientRefs.get(ids.get(ids.size() - 1));
      if (t != null && t.i < t.refs.length) {
        return t;
      }
      ids.remove(ids.size() - 1);
    }
    return null;
  }

  private static void addStackToRest(List<AbstractStruct> stack, Map<Long, ClientRefs> clientRefs, List<Long> ids,
      Map<Long, List<AbstractStruct>> rest) {
    for (AbstractStruct item : stack) {
      long client = item.client;
      ClientRefs inapplicable = clientRefs.get(client);
      if (inapplicable != null) {
        // Step back: the struct taken last was not applied.
        inapplicable.i--;
        rest.put(client, new ArrayList<>(Arrays.asList(inapplicable.refs).subList(inapplicable.i, inapplicable.refs.length)));
        clientRefs.remove(client);
        inapplicable.i = 0;
        inapplicable.refs = NONE;
      } else {
        rest.put(client, new ArrayList<>(List.of(item)));
      }
      ids.remove(Long.valueOf(client));
    }
    stack.clear();
  }

  /** Deletes what the delete set names; returns the ranges of structs this document does not have yet. */
  static DeleteSet applyDeleteSet(Transaction txn, DeleteSet ds) {
    DeleteSet unapplied = new DeleteSet();
    StructStore store = txn.doc.store;
    for (Map.Entry<Long, DeleteSet.Ranges> e : ds.clients.entrySet()) {
      long client = e.getKey();
      DeleteSet.Ranges ranges = e.getValue();
      StructList structs = store.list(client);
      int state = store.getState(client);
      for (int r = 0; r < ranges.count(); r++) {
        int clock = ranges.clock(r);
        int clockEnd = clock + ranges.len(r);
        if (clock < state) {
          if (state < clockEnd) {
            unapplied.add(client, state, clockEnd - state);
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
          unapplied.add(client, clock, clockEnd - clock);
        }
      }
    }
    return unapplied;
  }
}
