/* File I/O in a fresh temporary directory: open/write/read/lseek, fstat and
 * stat, directory listing (getdents64), rename, unlink, rmdir. Prints only
 * values that do not depend on the machine. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(void) {
    char dir[] = "/tmp/zarm-fileio-XXXXXX";
    if (!mkdtemp(dir)) { perror("mkdtemp"); return 1; }
    char path[256], path2[256];
    snprintf(path, sizeof path, "%s/a.txt", dir);
    snprintf(path2, sizeof path2, "%s/b.txt", dir);
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    const char *msg = "line one\nline two\nline three\n";
    printf("write %zd\n", write(fd, msg, strlen(msg)));
    printf("lseek %ld\n", (long)lseek(fd, 5, SEEK_SET));
    char buf[64] = {0};
    printf("read %zd '%s'\n", read(fd, buf, 8), buf);
    struct stat st;
    fstat(fd, &st);
    printf("fstat size %ld regular %d mode %o\n", (long)st.st_size, S_ISREG(st.st_mode), st.st_mode & 0777);
    printf("pread %zd\n", pread(fd, buf, 4, 10));
    close(fd);
    printf("rename %d\n", rename(path, path2));
    printf("stat old %d new %d size %ld\n", stat(path, &st), stat(path2, &st), (long)st.st_size);
    for (int i = 0; i < 3; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/f%d", dir, i);
        close(open(p, O_CREAT | O_WRONLY, 0600));
    }
    DIR *d = opendir(dir);
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d))) if (e->d_name[0] != '.') count++;
    closedir(d);
    printf("entries %d\n", count);
    FILE *f = fopen(path2, "r");
    char line[64];
    while (fgets(line, sizeof line, f)) printf("> %s", line);
    fclose(f);
    for (int i = 0; i < 3; i++) {
        char p[256];
        snprintf(p, sizeof p, "%s/f%d", dir, i);
        unlink(p);
    }
    printf("unlink %d rmdir-nonempty %d\n", unlink(path2), rmdir(dir) == 0);
    printf("access missing %d\n", access("/definitely/not/here", F_OK));
    return 0;
}
