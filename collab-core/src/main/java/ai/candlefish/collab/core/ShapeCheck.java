package ai.candlefish.collab.core;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks a decoded update against {@link UpdateLimits#maxDepth()} before it is integrated.
 *
 * <p>An item names its parent only when it has no neighbours; otherwise the parent is its origin's (or right
 * origin's) parent. So the depth of a new type is found by following those references, into the document for what
 * it has and into the update for what the update brings; a reference to neither (the item will wait) counts as a
 * root. Following is iterative with a memo: an update may chain tens of thousands of items.
 */
final class ShapeCheck {
  private ShapeCheck() {}

  /** Unknown yet: the item is on the walk's stack (a forged cycle of references ends there). */
  private static final int VISITING = -2;

  static void checkDepth(UpdateReader.DecodedUpdate update, StructStore store, int maxDepth) {
    boolean hasTypes = false;
    for (AbstractStruct[] structs : update.blocks()) {
      for (AbstractStruct s : structs) {
        if (s instanceof Item item && item.content instanceof ContentType) {
          hasTypes = true;
          break;
        }
      }
    }
    if (!hasTypes) {
      return;
    }
    Map<Item, Integer> parentDepth = new HashMap<>();
    for (AbstractStruct[] structs : update.blocks()) {
      for (AbstractStruct s : structs) {
        if (s instanceof Item item && item.content instanceof ContentType) {
          int depth = parentDepth(item, update, store, parentDepth) + 1;
          if (depth > maxDepth) {
            throw new LimitExceededException(LimitExceededException.Limit.DEPTH, "the update nests shared types "
                + depth + " levels deep (at " + item.client + ":" + item.clock + "), deeper than the "
                + maxDepth + " allowed");
          }
        }
      }
    }
  }

  /** The depth of the type {@code start} is in (0: a root, or not known yet). */
  private static int parentDepth(Item start, UpdateReader.DecodedUpdate update, StructStore store,
      Map<Item, Integer> memo) {
    ArrayDeque<Item> stack = new ArrayDeque<>();
    stack.push(start);
    while (!stack.isEmpty()) {
      Item item = stack.peek();
      Integer known = memo.get(item);
      if (known != null && known != VISITING) {
        stack.pop();
        continue;
      }
      memo.put(item, VISITING);
      // The update's item this one's depth follows from, and what to add to its depth.
      Item next;
      int add;
      int depth = 0;
      if (item.parent instanceof String) {
        next = null;
        add = 0;
      } else if (item.parent instanceof ID p) {
        // The parent is the type held by the item p.
        next = find(update, p);
        add = 1;
        if (next == null) {
          depth = typeDepthInStore(store, p);
        } else if (!(next.content instanceof ContentType)) {
          next = null; // not a type: the item will be collected
        }
      } else {
        ID neighbour = item.origin != null ? item.origin : item.rightOrigin;
        next = neighbour == null ? null : find(update, neighbour);
        add = 0;
        if (neighbour != null && next == null) {
          depth = parentDepthInStore(store, neighbour);
        }
      }
      if (next != null) {
        Integer nextDepth = memo.get(next);
        if (nextDepth == null) {
          stack.push(next);
          continue; // come back to this item once next is known
        }
        depth = nextDepth == VISITING ? 0 : nextDepth + add;
      }
      memo.put(item, depth);
      stack.pop();
    }
    return memo.get(start);
  }

  /** The struct of the update that contains {@code id}, if it is an item. */
  private static Item find(UpdateReader.DecodedUpdate update, ID id) {
    AbstractStruct[] structs = update.structsOf(id.client);
    if (structs == null) {
      return null;
    }
    int lo = 0;
    int hi = structs.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      AbstractStruct s = structs[mid];
      if (id.clock < s.clock) {
        hi = mid - 1;
      } else if (id.clock >= s.clock + s.length) {
        lo = mid + 1;
      } else {
        return s instanceof Item item ? item : null;
      }
    }
    return null;
  }

  private static AbstractStruct findInStore(StructStore store, ID id) {
    return id.clock < store.getState(id.client) ? store.find(id.client, id.clock) : null;
  }

  /** The depth of the type held by the document's item {@code id}; 0 if there is none. */
  private static int typeDepthInStore(StructStore store, ID id) {
    return findInStore(store, id) instanceof Item item && item.content instanceof ContentType type
        ? type.type.depth : 0;
  }

  /** The depth of the type the document's item {@code id} is in; 0 if unknown. */
  private static int parentDepthInStore(StructStore store, ID id) {
    return findInStore(store, id) instanceof Item item && item.parent instanceof SharedType parent
        ? parent.depth : 0;
  }
}
