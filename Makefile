# Install enrichd as a service.
#   make install                 # binary, plugins, config, unit under PREFIX (default /usr/local)
#   make uninstall               # removes what install put there (keeps edited config)
# Variables: PREFIX (/usr/local), SYSCONFDIR (/etc), UNITDIR (/etc/systemd/system),
# DESTDIR (staging root), PROFILE (release; `debug` installs a debug build),
# CARGO_TARGET_DIR (target), NO_BUILD=1 (install what is already built).
PREFIX ?= /usr/local
SYSCONFDIR ?= /etc
UNITDIR ?= /etc/systemd/system
DESTDIR ?=
PROFILE ?= release
CARGO_TARGET_DIR ?= target

PLUGINS := normalize boilerplate dates ranks acronyms
RULES := boilerplate.vi.yaml dates.vi.yaml ranks.vi.yaml acronyms.vi.yaml
BUILT := $(CARGO_TARGET_DIR)/$(PROFILE)
PLUGINDIR := $(PREFIX)/lib/enrichd/plugins
CONFDIR := $(SYSCONFDIR)/enrichd
CARGO_PROFILE_FLAG := $(if $(filter release,$(PROFILE)),--release,)

.PHONY: build install uninstall

build:
	cargo build $(CARGO_PROFILE_FLAG) --workspace

install: $(if $(NO_BUILD),,build)
	install -Dm755 $(BUILT)/enrichd $(DESTDIR)$(PREFIX)/bin/enrichd
	for p in $(PLUGINS); do \
	  install -Dm644 $(BUILT)/libenrichd_$$p.so $(DESTDIR)$(PLUGINDIR)/libenrichd_$$p.so || exit 1; \
	done
	install -d $(DESTDIR)$(CONFDIR)
	# Rule files and the config are the user's to edit: never overwritten; a changed
	# default is installed beside them as NAME.new.
	for f in $(RULES); do \
	  t=$(DESTDIR)$(CONFDIR)/$$f; \
	  if [ ! -e $$t ]; then install -m644 config/$$f $$t; \
	  elif ! cmp -s config/$$f $$t; then install -m644 config/$$f $$t.new; echo "kept your $$t; the new default is $$t.new"; fi; \
	done
	sed -e 's|^drop: .*|drop: /srv/enrichd/drop|' \
	    -e 's|^processed: .*|processed: /srv/enrichd/processed|' \
	    -e 's|^failed: .*|failed: /srv/enrichd/failed|' \
	    -e 's|^state_dir: .*|state_dir: /var/lib/enrichd|' \
	    -e 's|^plugin_dir: .*|plugin_dir: $(PLUGINDIR)|' \
	    -e 's|^\( *\)path: \.\./out/|\1path: /srv/enrichd/out/|' \
	    config/enrichd.yaml > $(DESTDIR)$(CONFDIR)/enrichd.yaml.dist
	if [ ! -e $(DESTDIR)$(CONFDIR)/enrichd.yaml ]; then \
	  mv $(DESTDIR)$(CONFDIR)/enrichd.yaml.dist $(DESTDIR)$(CONFDIR)/enrichd.yaml; \
	elif cmp -s $(DESTDIR)$(CONFDIR)/enrichd.yaml.dist $(DESTDIR)$(CONFDIR)/enrichd.yaml; then \
	  rm $(DESTDIR)$(CONFDIR)/enrichd.yaml.dist; \
	else echo "kept your $(DESTDIR)$(CONFDIR)/enrichd.yaml; the new default is enrichd.yaml.dist"; fi
	install -d $(DESTDIR)$(UNITDIR)
	sed -e 's|/usr/local/bin/enrichd|$(PREFIX)/bin/enrichd|' \
	    -e 's|/etc/enrichd/|$(CONFDIR)/|' \
	    -e 's|/usr/local/share/doc/enrichd|$(PREFIX)/share/doc/enrichd|' \
	    config/enrichd.service > $(DESTDIR)$(UNITDIR)/enrichd.service
	install -Dm644 README.md $(DESTDIR)$(PREFIX)/share/doc/enrichd/README.md
	install -Dm644 docs/writing-plugins.md $(DESTDIR)$(PREFIX)/share/doc/enrichd/writing-plugins.md

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/enrichd $(DESTDIR)$(UNITDIR)/enrichd.service
	rm -rf $(DESTDIR)$(PREFIX)/lib/enrichd $(DESTDIR)$(PREFIX)/share/doc/enrichd
	# The config folder stays if it holds edits; unchanged defaults go.
	for f in $(RULES); do \
	  t=$(DESTDIR)$(CONFDIR)/$$f; cmp -s config/$$f $$t && rm -f $$t; rm -f $$t.new; \
	done; true
	rm -f $(DESTDIR)$(CONFDIR)/enrichd.yaml.dist
	rmdir $(DESTDIR)$(CONFDIR) 2>/dev/null || echo "kept $(DESTDIR)$(CONFDIR) (it holds your config)"
