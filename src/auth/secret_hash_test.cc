#include "auth/secret_hash.h"

#include <string>

#include <gtest/gtest.h>

namespace orgd::auth {
namespace {

TEST(SecretHashTest, HashIsArgon2idPhcWithTheChosenParameters) {
  auto hash = HashSecret("s3cret");
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << *hash;
  EXPECT_EQ(hash->find("s3cret"), std::string::npos);
}

TEST(SecretHashTest, VerifyAcceptsTheSecret) {
  auto hash = HashSecret("s3cret");
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(VerifySecret("s3cret", *hash));
}

TEST(SecretHashTest, VerifyRejectsAnotherSecret) {
  auto hash = HashSecret("s3cret");
  ASSERT_TRUE(hash.has_value());
  EXPECT_FALSE(VerifySecret("s3cret ", *hash));
  EXPECT_FALSE(VerifySecret("S3cret", *hash));
  EXPECT_FALSE(VerifySecret("", *hash));
}

TEST(SecretHashTest, SaltMakesEachHashDifferent) {
  auto a = HashSecret("same");
  auto b = HashSecret("same");
  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifySecret("same", *a));
  EXPECT_TRUE(VerifySecret("same", *b));
}

TEST(SecretHashTest, EmptySecretHashesAndVerifies) {
  auto hash = HashSecret("");
  ASSERT_TRUE(hash.has_value());
  EXPECT_TRUE(VerifySecret("", *hash));
  EXPECT_FALSE(VerifySecret("x", *hash));
}

TEST(SecretHashTest, MalformedHashIsFalse) {
  auto hash = HashSecret("s3cret");
  ASSERT_TRUE(hash.has_value());
  std::string argon2i = *hash;
  argon2i.replace(0, 10, "$argon2i$");
  for (const std::string& bad :
       {std::string(), std::string("garbage"), std::string("$argon2id$"),
        hash->substr(0, hash->size() - 5), *hash + "!", argon2i, std::string("s3cret"),
        std::string(hash->data(), 20) + std::string(1, '\0') + hash->substr(20),
        std::string("$argon2id$v=19$m=19456,t=2,p=1$$")}) {
    EXPECT_FALSE(VerifySecret("s3cret", bad)) << bad;
  }
}

}  // namespace
}  // namespace orgd::auth
