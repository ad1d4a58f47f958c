// The tape browser's page, script and style sheet (proxy/http/ui/assets/), compiled into the binary
// by CMake (embed_assets.cmake writes ui_assets.cc into the build directory), so the browser needs
// nothing but this server: no CDN, no network.
#ifndef SSM_REPLAY_PROXY_HTTP_UI_UI_ASSETS_H_
#define SSM_REPLAY_PROXY_HTTP_UI_UI_ASSETS_H_

#include <cstddef>
#include <string_view>

namespace ssm {

struct UiAsset {
  const char* name;  // file name in assets/, e.g. "app.js"
  std::string_view bytes;
};

// Every asset; `count` gets their number.
const UiAsset* UiAssets(size_t* count);

}  // namespace ssm

#endif  // SSM_REPLAY_PROXY_HTTP_UI_UI_ASSETS_H_
