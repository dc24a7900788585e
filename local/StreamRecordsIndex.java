/*
 * Indexes DynamoDB Local's stream records by stream (see local/dynamodb.ts, indexStreamRecords).
 *
 * On every write to a table with a stream, DynamoDB Local describes the stream, and that query asks
 * for SELECT MIN(SequenceNumber) FROM us WHERE StreamID = ?: with no index on StreamID, SQLite walks
 * every stream record of every table, live or deleted, written before the stream's first. Writes
 * then slow down as records pile up (measured: 448 updates/s on a fresh database, 50/s after 14,000
 * records). SQLite keeps the index up to date on every insert and DynamoDB Local's prepared
 * statements pick it up, so it is made once, beside a running server.
 *
 * On StreamID alone, deliberately. SequenceNumber is the table's rowid, and the SQLite DynamoDB Local
 * ships (3.8.7) cannot use a rowid column named inside an index as a range: with an index on
 * (StreamID, SequenceNumber), GetRecords (WHERE StreamID = ? AND ShardID = ? AND SequenceNumber >= ?
 * ORDER BY SequenceNumber LIMIT ?) chose it for StreamID and the order, then read every record of the
 * stream up to the iterator on every poll (a year of waves got slower wave after wave). A one-column
 * index ends in the rowid implicitly, which 3.8.7 does use: GetRecords plans (StreamID=? AND rowid>?)
 * and the MIN reads one index entry. That earlier index is dropped where a database has it.
 *
 * Run as a single-file program with the sqlite4java that DynamoDB Local ships:
 *   java -cp DynamoDBLocal_lib/sqlite4java.jar -Djava.library.path=DynamoDBLocal_lib \
 *     StreamRecordsIndex.java path/to/shared-local-instance.db
 * It prints "indexed", "no stream records table" (exit 3) if a later DynamoDB Local changed its
 * schema, or the error (exit 1).
 */
import com.almworks.sqlite4java.SQLiteConnection;
import com.almworks.sqlite4java.SQLiteStatement;
import java.io.File;
import java.util.logging.Level;
import java.util.logging.Logger;

public class StreamRecordsIndex {
  public static void main(String[] args) {
    Logger.getLogger("com.almworks.sqlite4java").setLevel(Level.OFF);
    try {
      index(new File(args[0]));
    } catch (Exception e) {
      // One line for the log that starts us.
      System.out.println(e.toString().replace('\n', ' '));
      System.exit(1);
    }
  }

  private static void index(File file) throws Exception {
    SQLiteConnection db = new SQLiteConnection(file);
    db.open(false);
    try {
      // DynamoDB Local may hold its write lock for a moment: wait for it rather than fail.
      db.setBusyTimeout(30_000);
      // Its SQLite predates pragma_table_info(): the pragma itself, whose second column is the name.
      SQLiteStatement columns = db.prepare("PRAGMA table_info(us)");
      boolean streamId = false;
      boolean sequenceNumber = false;
      while (columns.step()) {
        streamId |= "StreamID".equals(columns.columnString(1));
        sequenceNumber |= "SequenceNumber".equals(columns.columnString(1));
      }
      columns.dispose();
      if (!streamId || !sequenceNumber) {
        System.out.println("no stream records table");
        System.exit(3);
      }
      db.exec("DROP INDEX IF EXISTS npswave_us_stream");
      db.exec("CREATE INDEX IF NOT EXISTS npswave_us_stream_id ON us (StreamID)");
      System.out.println("indexed");
    } finally {
      db.dispose();
    }
  }
}
