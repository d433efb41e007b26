#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files this process creates (the database, uploads, the mail drop) hold personal data: owner-only.
func restrictNewFilesToOwner() {
    umask(0o077)
}
