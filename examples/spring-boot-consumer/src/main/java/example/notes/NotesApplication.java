package example.notes;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Shared notes: collab-spring-starter serves the documents on this application's own port, at /collab
 * (application.properties); nothing else to write.
 */
@SpringBootApplication
public class NotesApplication {
  public static void main(String[] args) {
    SpringApplication.run(NotesApplication.class, args);
  }
}
