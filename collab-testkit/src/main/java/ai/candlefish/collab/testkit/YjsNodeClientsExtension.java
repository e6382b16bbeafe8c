package ai.candlefish.collab.testkit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One Node process of {@link YjsNodeClients} per test class: {@code @ExtendWith(YjsNodeClientsExtension.class)} on
 * the class starts it before the class's first test (before its own {@code @BeforeAll} methods) into its one
 * {@code static YjsNodeClients} field, as JUnit's {@code @TempDir} fills a static field, and closes it after the
 * class's last test.
 */
public final class YjsNodeClientsExtension implements BeforeAllCallback, AfterAllCallback {
  @Override
  public void beforeAll(ExtensionContext context) throws IllegalAccessException {
    List<Field> fields = clientFields(context.getRequiredTestClass());
    if (fields.size() != 1) {
      throw new ExtensionConfigurationException(context.getRequiredTestClass().getSimpleName() + " has "
          + fields.size() + " static YjsNodeClients fields; declare exactly one for YjsNodeClientsExtension to fill");
    }
    fields.get(0).set(null, YjsNodeClients.start());
  }

  @Override
  public void afterAll(ExtensionContext context) throws IllegalAccessException {
    for (Field field : clientFields(context.getRequiredTestClass())) {
      YjsNodeClients clients = (YjsNodeClients) field.get(null);
      if (clients != null) {
        field.set(null, null);
        clients.close();
      }
    }
  }

  private static List<Field> clientFields(Class<?> testClass) {
    List<Field> fields = new ArrayList<>();
    for (Field field : testClass.getDeclaredFields()) {
      if (field.getType() == YjsNodeClients.class && Modifier.isStatic(field.getModifiers())) {
        field.setAccessible(true);
        fields.add(field);
      }
    }
    return fields;
  }
}
