package dev.kotune.trainer.kafka;

/** The broker did not acknowledge a record in time; the record being handled stays uncommitted. */
public class PublishFailedException extends RuntimeException {

    public PublishFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
