/**
 * Header of the test message `mps doctor` appends to a mailbox to test its rights and deletes a
 * moment later: the downloader leaves a message carrying it alone for its first ten minutes, so a
 * running `mps run` does not print the test while it exists.
 */
export const DOCTOR_TEST_HEADER = "X-Mps-Doctor";
