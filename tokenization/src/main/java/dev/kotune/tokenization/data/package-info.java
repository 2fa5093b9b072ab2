/**
 * The one reader per dataset format, shared by every module that reads examples or corpora from a file: JSON Lines
 * ({@code {"prompt", "completion"}} per line, which is also what Hugging Face {@code datasets}' {@code to_json} writes
 * and {@code load_dataset("json")} reads) and CSV with a header row (RFC 4180 via Apache Commons CSV). Files are strict
 * UTF-8 with an optional byte order mark. Messages name the file, line, row, column or field, never a file's content.
 */
package dev.kotune.tokenization.data;
