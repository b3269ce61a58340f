// PSNR of every thumbnail in TEST_DIR against the same-named one in REFERENCE_DIR, in one
// process (the vips CLI would start ~5 processes an image).
//
//   psnr REFERENCE_DIR TEST_DIR
//
// Each REFERENCE_DIR/NAME.jpg is paired with TEST_DIR/NAME.jpg. Both are converted to 3-band
// sRGB uchar (flattened on black if they have alpha) and compared over all pixels and bands:
//   PSNR = 10 log10(255^2 / mean((test - reference)^2)).
// Thumbnailers may round a dimension differently (170.6 rows: libvips writes 170, others 171).
// Comparing the common top-left area would then compare rows sampled at different heights, so
// the test image is first resized to the reference's size (lanczos3) and its line says
// "resized WxH".
// Prints one "psnr NAME DB [resized WxH]" line per image, then "summary images N mean DB min DB
// (NAME) missing M resized R"; the mean is of the per-image dB figures. Exits 1 if an image is
// missing or unreadable.
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vips/vips.h>

static VipsImage* LoadAsSrgb(const char* path, VipsObject* scope) {
  VipsImage* image = vips_image_new_from_file(path, "access", VIPS_ACCESS_SEQUENTIAL, NULL);
  if (image == NULL) return NULL;
  vips_object_local(scope, image);
  VipsImage* srgb;
  if (vips_colourspace(image, &srgb, VIPS_INTERPRETATION_sRGB, NULL) != 0) return NULL;
  vips_object_local(scope, srgb);
  if (vips_image_hasalpha(srgb)) {
    VipsImage* flat;
    if (vips_flatten(srgb, &flat, NULL) != 0) return NULL;
    vips_object_local(scope, flat);
    srgb = flat;
  }
  return srgb;
}

// Returns the PSNR in dB, INFINITY for identical images, or NAN on error; sets *resized when
// the test image had to be resized to the reference's size.
static double Psnr(const char* reference_path, const char* test_path, int* resized) {
  VipsObject* scope = VIPS_OBJECT(vips_image_new());
  double psnr = NAN;
  VipsImage* reference = LoadAsSrgb(reference_path, scope);
  VipsImage* test = LoadAsSrgb(test_path, scope);
  VipsImage *diff, *square;
  double mse;
  *resized = test != NULL && reference != NULL &&
             (test->Xsize != reference->Xsize || test->Ysize != reference->Ysize);
  if (*resized) {
    VipsImage* scaled;
    if (vips_resize(test, &scaled, (double)reference->Xsize / test->Xsize, "vscale",
                    (double)reference->Ysize / test->Ysize, NULL) != 0) {
      test = NULL;
    } else {
      vips_object_local(scope, scaled);
      test = scaled;
    }
  }
  if (reference != NULL && test != NULL && test->Xsize == reference->Xsize &&
      test->Ysize == reference->Ysize && vips_subtract(test, reference, &diff, NULL) == 0 &&
      (vips_object_local(scope, diff), vips_multiply(diff, diff, &square, NULL) == 0) &&
      (vips_object_local(scope, square), vips_avg(square, &mse, NULL) == 0)) {
    psnr = mse == 0 ? INFINITY : 10 * log10(255.0 * 255.0 / mse);
  }
  g_object_unref(scope);
  if (isnan(psnr)) fprintf(stderr, "psnr: %s: %s", test_path, vips_error_buffer());
  vips_error_clear();
  return psnr;
}

static int CompareNames(const void* a, const void* b) {
  return strcmp(*(char* const*)a, *(char* const*)b);
}

int main(int argc, char** argv) {
  if (VIPS_INIT(argv[0]) != 0) vips_error_exit(NULL);
  if (argc != 3) {
    fprintf(stderr, "usage: psnr REFERENCE_DIR TEST_DIR\n");
    return 2;
  }
  DIR* dir = opendir(argv[1]);
  if (dir == NULL) {
    fprintf(stderr, "psnr: %s: cannot open\n", argv[1]);
    return 1;
  }
  char** names = NULL;
  int count = 0;
  for (struct dirent* entry; (entry = readdir(dir)) != NULL;) {
    size_t length = strlen(entry->d_name);
    if (length > 4 && strcmp(entry->d_name + length - 4, ".jpg") == 0) {
      names = realloc(names, sizeof(char*) * (size_t)(count + 1));
      names[count++] = strdup(entry->d_name);
    }
  }
  closedir(dir);
  qsort(names, (size_t)count, sizeof(char*), CompareNames);

  double sum = 0, min = INFINITY;
  const char* min_name = "-";
  int scored = 0, missing = 0, resized_count = 0;
  for (int i = 0; i < count; ++i) {
    char* reference = g_build_filename(argv[1], names[i], NULL);
    char* test = g_build_filename(argv[2], names[i], NULL);
    int resized;
    double psnr = Psnr(reference, test, &resized);
    if (isnan(psnr)) {
      ++missing;
    } else {
      printf("psnr %s %.2f", names[i], psnr);
      if (resized) {
        ++resized_count;
        VipsImage* original = vips_image_new_from_file(test, NULL);
        printf(" resized %dx%d", original->Xsize, original->Ysize);
        g_object_unref(original);
      }
      printf("\n");
      // An identical image would make the mean infinite; cap it at a lossless-looking 99 dB.
      double capped = isinf(psnr) ? 99 : psnr;
      sum += capped;
      ++scored;
      if (capped < min) {
        min = capped;
        min_name = names[i];
      }
    }
    g_free(reference);
    g_free(test);
  }
  printf("summary images %d mean %.2f min %.2f (%s) missing %d resized %d\n", scored,
         scored > 0 ? sum / scored : 0.0, scored > 0 ? min : 0.0, min_name, missing,
         resized_count);
  return missing == 0 && scored > 0 ? 0 : 1;
}
