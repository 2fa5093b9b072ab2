package dev.kotune.trainer.registry;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.kotune.trainer.domain.JobRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Reads and writes {@code jobs/{job_id}/job.json} under a home directory. Writes go to a temporary sibling that is
 * flushed to disk and then renamed over the target (atomically where the file system can), so a reader never sees
 * half a file. Thread-safe for different jobs; callers serialise writes of one job.
 */
public final class JobStore {

    /** The file name of a job's record. */
    public static final String JOB_FILE = "job.json";

    private static final Logger LOG = Logger.getLogger(JobStore.class);

    private final Path jobsDir;
    private final ObjectMapper json;

    public JobStore(Path home) {
        this.jobsDir = home.toAbsolutePath().normalize().resolve("jobs");
        this.json = new ObjectMapper()
                .registerModule(new JavaTimeModule())
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .setVisibility(PropertyAccessor.ALL, JsonAutoDetect.Visibility.NONE)
                .setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(SerializationFeature.INDENT_OUTPUT);
    }

    /** {@code $home/jobs/{jobId}}. */
    public Path jobDir(String jobId) {
        return jobsDir.resolve(jobId);
    }

    /** Writes the record atomically, creating the job's directory when needed. */
    public void write(JobRecord record) throws IOException {
        Path dir = jobDir(record.job().jobId());
        Files.createDirectories(dir);
        Path target = dir.resolve(JOB_FILE);
        Path temp = dir.resolve("." + JOB_FILE + "." + UUID.randomUUID() + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    OutputStream out = java.nio.channels.Channels.newOutputStream(channel)) {
                json.writeValue(new NonClosing(out), record);
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Reads one job's record. */
    public JobRecord read(Path jobFile) throws IOException {
        return json.readValue(jobFile.toFile(), JobRecord.class);
    }

    /** Every readable {@code jobs/* /job.json}; unreadable ones are logged and skipped. */
    public List<JobRecord> readAll() throws IOException {
        List<JobRecord> records = new ArrayList<>();
        if (!Files.isDirectory(jobsDir)) {
            return records;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(jobsDir, Files::isDirectory)) {
            for (Path dir : dirs) {
                Path file = dir.resolve(JOB_FILE);
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                try {
                    records.add(read(file));
                } catch (IOException e) {
                    LOG.warnf("skipping unreadable %s: %s", file, e.getMessage());
                }
            }
        }
        return records;
    }

    /** Keeps Jackson from closing the channel before it is forced to disk. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
