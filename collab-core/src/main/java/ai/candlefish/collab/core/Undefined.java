package ai.candlefish.collab.core;

/**
 * JavaScript's {@code undefined}, which Yjs can store and send (for instance {@code ymap.set('k', undefined)} or
 * an array holding {@code undefined}). It crosses the Java API as {@link #INSTANCE}, distinct from {@code null}
 * (JavaScript's {@code null}), so that a document relayed through Java keeps its exact bytes. Java code may store
 * it too; Yjs peers then read {@code undefined}.
 */
public enum Undefined {
  /** The single value of JavaScript's {@code undefined}. */
  INSTANCE;

  @Override
  public String toString() {
    return "undefined";
  }
}
