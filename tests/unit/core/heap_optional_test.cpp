// HeapOptional (core/heap_optional.hpp): std::optional's behaviour, at the size of a pointer.
#include "core/heap_optional.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <utility>

using trustscan::HeapOptional;

TEST_CASE("a HeapOptional behaves as a std::optional of its value", "[core]") {
  HeapOptional<std::string> a;
  CHECK_FALSE(a);
  CHECK_FALSE(a.has_value());
  CHECK(a == HeapOptional<std::string>{});

  a = std::string("held");
  REQUIRE(a);
  CHECK(*a == "held");
  CHECK(a->size() == 4);

  HeapOptional<std::string> b = a;  // a copy holds its own value
  b->append(" too");
  CHECK(*a == "held");
  CHECK(*b == "held too");
  CHECK_FALSE(a == b);
  b = a;
  CHECK(a == b);
  b = b;  // NOLINT(clang-diagnostic-self-assign-overloaded): self-assignment keeps the value
  CHECK(*b == "held");

  HeapOptional<std::string> c = std::move(b);
  CHECK(*c == "held");
  c.reset();
  CHECK_FALSE(c);
  CHECK_FALSE(c == a);
}
