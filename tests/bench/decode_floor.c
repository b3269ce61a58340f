// The libjpeg-turbo decode floor: how fast can these JPEGs be decoded, with DCT scaling, on all
// cores, with nothing else done? A thumbnailer that decodes through libjpeg-turbo cannot beat
// this, so its wall time divided into this one says how much of the budget goes elsewhere.
//
//   decode_floor [-j THREADS] [-s M/N | -w WIDTH] [-t SECONDS] FILE.jpg...
//
// Files are read into memory first; each thread has its own tjhandle and takes whole files
// from a shared counter, decoding them to RGB at the scale M/N (as tjbench -scale M/N does, and
// with its defaults: accurate integer DCT, fancy upsampling). -w WIDTH picks the scale per file
// instead: the smallest of 1/8, 1/4, 1/2, 1/1 that still gives WIDTH pixels or more across, the
// shrink-on-load rule of pixflow and sharp for a WIDTH-wide thumbnail (vipsthumbnail 8.14
// leaves another factor of two: its rule is -w 2*WIDTH). Passes over all the files repeat
// until SECONDS have gone by (default 3); the median pass is reported, as seconds per pass and
// megapixels of *input* per second, so it compares directly with a thumbnailer's wall time on
// the same folder, and as CPU seconds per pass, which other processes' load hardly changes.
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <turbojpeg.h>

typedef struct {
  unsigned char* bytes;
  unsigned long size;
  int width, height;
  tjscalingfactor scale;
} Jpeg;

static Jpeg* jpegs;
static int jpeg_count;
static tjscalingfactor scale = {1, 1};
static int min_width = 0;  // 0: use scale for every file
static atomic_int next_jpeg;
static atomic_int failures;

static double Now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

// CPU time of the whole process: unlike wall time, hardly changed by other processes' load.
static double CpuNow(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void* DecodeWorker(void* unused) {
  (void)unused;
  tjhandle handle = tjInitDecompress();
  unsigned char* pixels = NULL;
  size_t capacity = 0;
  for (int i; (i = atomic_fetch_add(&next_jpeg, 1)) < jpeg_count;) {
    const Jpeg* jpeg = &jpegs[i];
    int width = TJSCALED(jpeg->width, jpeg->scale);
    int height = TJSCALED(jpeg->height, jpeg->scale);
    size_t needed = (size_t)width * (size_t)height * 3;
    if (needed > capacity) {
      free(pixels);
      pixels = malloc(needed);
      capacity = needed;
    }
    if (tjDecompress2(handle, jpeg->bytes, jpeg->size, pixels, width, 0, height, TJPF_RGB, 0) !=
        0) {
      fprintf(stderr, "decode_floor: %s\n", tjGetErrorStr2(handle));
      atomic_fetch_add(&failures, 1);
    }
  }
  free(pixels);
  tjDestroy(handle);
  return NULL;
}

static int CompareDoubles(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  int threads = 1;
  double seconds = 3;
  int arg = 1;
  for (; arg + 1 < argc && argv[arg][0] == '-'; arg += 2) {
    if (strcmp(argv[arg], "-j") == 0) {
      threads = atoi(argv[arg + 1]);
    } else if (strcmp(argv[arg], "-s") == 0) {
      if (sscanf(argv[arg + 1], "%d/%d", &scale.num, &scale.denom) != 2) break;
    } else if (strcmp(argv[arg], "-w") == 0) {
      min_width = atoi(argv[arg + 1]);
    } else if (strcmp(argv[arg], "-t") == 0) {
      seconds = atof(argv[arg + 1]);
    } else {
      break;
    }
  }
  if (arg >= argc || threads < 1 || scale.num < 1 || scale.denom < 1) {
    fprintf(stderr, "usage: decode_floor [-j THREADS] [-s M/N | -w WIDTH] [-t SECONDS] FILE.jpg...\n");
    return 2;
  }

  jpeg_count = argc - arg;
  jpegs = calloc((size_t)jpeg_count, sizeof(Jpeg));
  double megapixels = 0;
  tjhandle header_reader = tjInitDecompress();
  for (int i = 0; i < jpeg_count; ++i) {
    const char* path = argv[arg + i];
    FILE* file = fopen(path, "rb");
    if (file == NULL || fseek(file, 0, SEEK_END) != 0) {
      fprintf(stderr, "decode_floor: %s: cannot open\n", path);
      return 1;
    }
    jpegs[i].size = (unsigned long)ftell(file);
    jpegs[i].bytes = malloc(jpegs[i].size);
    rewind(file);
    int subsampling, colorspace;
    if (fread(jpegs[i].bytes, 1, jpegs[i].size, file) != jpegs[i].size ||
        tjDecompressHeader3(header_reader, jpegs[i].bytes, jpegs[i].size, &jpegs[i].width,
                            &jpegs[i].height, &subsampling, &colorspace) != 0) {
      fprintf(stderr, "decode_floor: %s: not a JPEG\n", path);
      return 1;
    }
    fclose(file);
    jpegs[i].scale = scale;
    if (min_width > 0) {
      jpegs[i].scale = (tjscalingfactor){1, 1};
      for (int denom = 8; denom > 1; denom /= 2) {
        tjscalingfactor candidate = {1, denom};
        if (TJSCALED(jpegs[i].width, candidate) >= min_width) {
          jpegs[i].scale = candidate;
          break;
        }
      }
    }
    megapixels += (double)jpegs[i].width * jpegs[i].height / 1e6;
  }
  tjDestroy(header_reader);

  enum { kMaxPasses = 1000 };
  double pass_seconds[kMaxPasses], pass_cpu_seconds[kMaxPasses];
  int passes = 0;
  pthread_t* workers = calloc((size_t)threads, sizeof(pthread_t));
  double start = Now();
  // One untimed warm-up pass, then timed ones.
  for (int pass = -1; pass < kMaxPasses && (pass < 3 || Now() - start < seconds); ++pass) {
    double pass_start = Now(), pass_cpu_start = CpuNow();
    atomic_store(&next_jpeg, 0);
    for (int t = 0; t < threads; ++t) pthread_create(&workers[t], NULL, DecodeWorker, NULL);
    for (int t = 0; t < threads; ++t) pthread_join(workers[t], NULL);
    if (pass >= 0) {
      pass_cpu_seconds[passes] = CpuNow() - pass_cpu_start;
      pass_seconds[passes++] = Now() - pass_start;
    }
  }
  if (atomic_load(&failures) > 0) return 1;
  qsort(pass_seconds, (size_t)passes, sizeof(double), CompareDoubles);
  qsort(pass_cpu_seconds, (size_t)passes, sizeof(double), CompareDoubles);
  double median = pass_seconds[passes / 2];
  char scale_text[32];
  if (min_width > 0) {
    snprintf(scale_text, sizeof scale_text, "w>=%d", min_width);
  } else {
    snprintf(scale_text, sizeof scale_text, "%d/%d", scale.num, scale.denom);
  }
  printf("files %d input_mp %.2f scale %s threads %d passes %d seconds %.4f mp_per_s %.1f "
         "cpu_seconds %.4f\n",
         jpeg_count, megapixels, scale_text, threads, passes, median,
         megapixels / median, pass_cpu_seconds[passes / 2]);
  return 0;
}
