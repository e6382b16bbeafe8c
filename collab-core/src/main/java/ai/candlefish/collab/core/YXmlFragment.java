package ai.candlefish.collab.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A shared list of XML nodes (Yjs {@code Y.XmlFragment}): the root type of y-prosemirror, TipTap and other tree
 * editors. Children are {@link YXmlElement}, {@link YXmlText} and {@link YXmlHook} nodes.
 *
 * <p>{@code new YXmlFragment()} creates a preliminary fragment that can be filled before it is inserted.
 */
public sealed class YXmlFragment extends SharedType permits YXmlElement {
  private List<SharedType> prelim = new ArrayList<>();

  /** A new preliminary fragment. */
  public YXmlFragment() {}

  @Override
  int typeRef() {
    return XML_FRAGMENT;
  }

  @Override
  SharedType copyEmpty() {
    return new YXmlFragment();
  }

  @Override
  void integrate(Doc doc, Item item) {
    super.integrate(doc, item);
    List<SharedType> content = prelim;
    prelim = null;
    doc.transact(txn -> listInsert(txn, 0, content));
  }

  private static List<SharedType> checkNodes(List<? extends SharedType> nodes) {
    Objects.requireNonNull(nodes, "nodes");
    for (SharedType n : nodes) {
      if (!(n instanceof YXmlElement || n instanceof YXmlText || n instanceof YXmlHook)) {
        throw new IllegalArgumentException("an XML fragment holds YXmlElement, YXmlText or YXmlHook nodes, not "
            + (n == null ? "null" : n.getClass().getSimpleName()));
      }
    }
    return List.copyOf(nodes);
  }

  /**
   * Inserts {@code nodes} (new, preliminary nodes) at {@code index}.
   *
   * @throws IndexOutOfBoundsException if {@code index} is not in {@code [0, length()]} (a preliminary fragment
   *     inserts as JavaScript's {@code splice}, as in Yjs: past its end it appends, a negative index counts from the
   *     end)
   * @throws IllegalArgumentException if a node is not an XML node or already in a document
   */
  public void insert(int index, List<? extends SharedType> nodes) {
    List<SharedType> checked = checkNodes(nodes);
    if (doc == null) {
      prelim.addAll(spliceStart(prelim.size(), index), checked); // Yjs: splice (past the end, negative: from the end)
      return;
    }
    doc.transact(txn -> listInsert(txn, index, checked));
  }

  /** Inserts {@code nodes} after the child {@code reference} (null: at the start). */
  public void insertAfter(@Nullable SharedType reference, List<? extends SharedType> nodes) {
    List<SharedType> checked = checkNodes(nodes);
    if (doc == null) {
      int index = reference == null ? 0 : prelim.indexOf(reference) + 1;
      if (index == 0 && reference != null) {
        throw new IllegalArgumentException("the reference node is not a child of this fragment");
      }
      prelim.addAll(index, checked);
      return;
    }
    if (reference != null && reference.parent() != this) {
      throw new IllegalArgumentException("the reference node is not a child of this fragment");
    }
    doc.transact(txn -> listInsertAfter(txn, reference == null ? null : reference.item, checked));
  }

  /** Appends {@code nodes}. */
  public void push(List<? extends SharedType> nodes) {
    insert(length(), nodes);
  }

  /**
   * Deletes {@code length} children from {@code index}.
   *
   * @throws IndexOutOfBoundsException if out of range or negative; as in Yjs, the children the range did cover are
   *     deleted first (a preliminary fragment deletes as JavaScript's {@code splice} does: to its end without
   *     throwing, from the end for a negative index, nothing for a negative length)
   */
  public void delete(int index, int length) {
    if (doc == null) {
      spliceDelete(prelim, index, length);
      return;
    }
    doc.transact(txn -> listDelete(txn, index, length));
  }

  /**
   * The child at {@code index}, or null if there is none (an index below 0 or past the end): Yjs's {@code get}
   * returns {@code undefined} there.
   *
   * @throws IllegalStateException if that child is no XML node (see {@link #toList()})
   */
  public @Nullable SharedType get(int index) {
    if (index < 0 || index >= length()) {
      return null;
    }
    return doc == null ? prelim.get(index) : node(listGet(index), index);
  }

  /**
   * A child as an XML node. Yjs's fragment takes any value (only its types say XML nodes), so a peer can put a
   * string or a number in; Yjs's {@code get}/{@code toArray} hand it out, a {@code SharedType} cannot hold it.
   */
  private static SharedType node(@Nullable Object child, int index) {
    if (child instanceof SharedType t) {
      return t;
    }
    throw new IllegalStateException("child " + index + " of this XML fragment is no XML node but a value of type "
        + (child == null ? "null" : child.getClass().getSimpleName()) + " (a peer put it there); read the children"
        + " with slice(0), which hands out every value as Yjs's toArray() does");
  }

  /** A new preliminary fragment with copies of the children (Yjs {@code clone()}). */
  @Override
  public YXmlFragment clone() {
    YXmlFragment copy = new YXmlFragment();
    copy.insert(0, clonedChildren());
    return copy;
  }

  final List<SharedType> clonedChildren() {
    List<SharedType> out = new ArrayList<>();
    for (SharedType child : toList()) {
      out.add(child.clone());
    }
    return out;
  }

  /** Inserts {@code nodes} at the start (Yjs {@code unshift}). */
  public void unshift(List<? extends SharedType> nodes) {
    insert(0, nodes);
  }

  /**
   * Children {@code [start, end)} with Yjs's index rules (see {@link YArray#slice(int, int)}): never throws;
   * positions before the first child come out as {@link Undefined#INSTANCE}, as in Yjs.
   */
  public List<Object> slice(int start, int end) {
    if (doc == null) {
      return Collections.unmodifiableList(YArray.prelimSlice(prelim, start, end));
    }
    return Collections.unmodifiableList(listSlice(start, end));
  }

  /** Children from {@code start} on ({@code slice(start, length())}). */
  public List<Object> slice(int start) {
    return slice(start, length());
  }

  /**
   * The XML nodes below this one in document order (depth first), as Yjs's {@code createTreeWalker(filter)}
   * visits them: it descends into elements (not into texts or hooks) and yields the nodes {@code filter}
   * accepts. Lazy; read it while the document does not change.
   *
   * @throws IllegalStateException if this fragment is preliminary
   */
  public Iterator<SharedType> createTreeWalker(Predicate<SharedType> filter) {
    Objects.requireNonNull(filter, "filter");
    requireDoc();
    return new Iterator<>() {
      private Item current = start;
      private boolean firstCall = true;
      private Item nextItem;
      private boolean computed;

      private Item advance() {
        Item n = current;
        if (n != null && (!firstCall || n.isDeleted() || !filter.test(typeOf(n)))) {
          do {
            SharedType type = n.isDeleted() ? null : typeOf(n);
            if (type != null && (type.getClass() == YXmlElement.class || type.getClass() == YXmlFragment.class)
                && type.start != null) {
              n = type.start;
            } else {
              while (n != null) {
                Item next = n.next();
                if (next != null) {
                  n = next;
                  break;
                } else if (n.parent == YXmlFragment.this) {
                  n = null;
                } else {
                  n = ((SharedType) n.parent).item;
                }
              }
            }
          } while (n != null && (n.isDeleted() || !filter.test(typeOf(n))));
        }
        firstCall = false;
        if (n != null) {
          current = n;
        }
        return n;
      }

      @Override
      public boolean hasNext() {
        if (!computed) {
          nextItem = advance();
          computed = true;
        }
        return nextItem != null;
      }

      @Override
      public SharedType next() {
        if (!hasNext()) {
          throw new java.util.NoSuchElementException();
        }
        computed = false;
        return typeOf(nextItem);
      }
    };
  }

  /** The node of a visible item below this one; Yjs's walker fails with a TypeError where this throws. */
  private static SharedType typeOf(Item n) {
    if (n.content instanceof ContentType t) {
      return t.type;
    }
    throw new IllegalStateException("a child in this XML tree is no XML node but a value (a peer put it there),"
        + " where Yjs's tree walker fails too; read the children with slice(0)");
  }

  /**
   * The first element below this node named {@code nodeName}, ignoring case (Yjs {@code querySelector}: a tag
   * name only, no CSS; an element with an empty name is never found), or null.
   */
  public @Nullable YXmlElement querySelector(String nodeName) {
    List<YXmlElement> all = querySelectorAll(nodeName, true);
    return all.isEmpty() ? null : all.get(0);
  }

  /** Every element below this node named {@code nodeName}, ignoring case, in document order (Yjs {@code querySelectorAll}). */
  public List<YXmlElement> querySelectorAll(String nodeName) {
    return querySelectorAll(nodeName, false);
  }

  private List<YXmlElement> querySelectorAll(String nodeName, boolean firstOnly) {
    String query = JsCase.toUpperCase(Objects.requireNonNull(nodeName, "nodeName"));
    List<YXmlElement> out = new ArrayList<>();
    // Yjs: element.nodeName && element.nodeName.toUpperCase() === query (an empty name never matches)
    Iterator<SharedType> walker = createTreeWalker(t -> t instanceof YXmlElement el && !el.nodeName().isEmpty()
        && JsCase.toUpperCase(el.nodeName()).equals(query));
    while (walker.hasNext() && !(firstOnly && !out.isEmpty())) {
      out.add((YXmlElement) walker.next());
    }
    return Collections.unmodifiableList(out);
  }

  /** The first child, or null. */
  public @Nullable SharedType firstChild() {
    return length() == 0 ? null : get(0);
  }

  /** The number of children. */
  public int length() {
    return doc == null ? prelim.size() : length;
  }

  /**
   * The children, as an unmodifiable snapshot.
   *
   * @throws IllegalStateException if a child is no XML node: a Yjs peer can put any value into a fragment, which
   *     {@link #slice(int)} hands out as Yjs's {@code toArray()} does
   */
  public List<SharedType> toList() {
    if (doc == null) {
      return List.copyOf(prelim);
    }
    return nodes(listToList());
  }

  private static List<SharedType> nodes(List<Object> children) {
    List<SharedType> out = new ArrayList<>(children.size());
    for (int i = 0; i < children.size(); i++) {
      out.add(node(children.get(i), i));
    }
    return Collections.unmodifiableList(out);
  }

  /**
   * The children as they were at {@code snapshot} (Yjs {@code typeListToArraySnapshot}), deleted ones included
   * if they still existed then.
   *
   * @throws IllegalStateException if this fragment is not part of a document, or if a child is no XML node (see
   *     {@link #toList()})
   */
  public List<SharedType> toList(Snapshot snapshot) {
    return nodes(listToList(snapshot));
  }

  /** The XML of the children, as Yjs's {@code toString()}. */
  @Override
  public String toString() {
    return TypeWalk.toXml(this, false);
  }

  /** The same as {@link #toString()}, as in Yjs. */
  @Override
  public Object toJson() {
    return toString();
  }

  /** Calls {@code observer} after each transaction that changed this node's children or attributes. */
  public Subscription observe(Consumer<YXmlEvent> observer) {
    Objects.requireNonNull(observer, "observer");
    return addObserver(e -> observer.accept((YXmlEvent) e));
  }

  @Override
  YEvent createEvent(Transaction txn, Set<String> keysChanged) {
    return new YXmlEvent(this, txn, keysChanged);
  }
}
