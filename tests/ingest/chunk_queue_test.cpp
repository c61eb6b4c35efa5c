#include "ingest/chunk_queue.h"

#include <gtest/gtest.h>

#include <thread>

#include "test_util.h"

namespace salesflow::ingest {
namespace {

std::string Drain(ChunkRunSource& source) {
  std::string out;
  for (;;) {
    auto chunk = source.Next();
    EXPECT_TRUE(chunk.ok()) << chunk.status().ToString();
    if (!chunk.ok() || chunk->empty()) return out;
    out.append(*chunk);
  }
}

TEST(ChunkQueueTest, RunsOfOneKindEndWhereTheOtherKindStarts) {
  ChunkQueue queue(8);
  ASSERT_OK(queue.Push(ChunkKind::kSales, "a"));
  ASSERT_OK(queue.Push(ChunkKind::kSales, "b"));
  ASSERT_OK(queue.Push(ChunkKind::kRejects, "x"));
  ASSERT_OK(queue.Push(ChunkKind::kSales, "c"));
  queue.Finish(Status::Ok());
  std::string sales, rejects;
  for (;;) {
    auto kind = queue.PeekKind();
    ASSERT_OK(kind.status());
    if (!*kind) break;
    ChunkRunSource run(&queue, **kind);
    (**kind == ChunkKind::kSales ? sales : rejects) += Drain(run) + "|";
  }
  EXPECT_EQ(sales, "ab|c|");
  EXPECT_EQ(rejects, "x|");
}

TEST(ChunkQueueTest, ProducerBlocksWhileFullAndEverythingArrivesInOrder) {
  ChunkQueue queue(2);
  constexpr int kChunks = 1000;
  std::thread producer([&] {
    for (int i = 0; i < kChunks; ++i) {
      std::string buffer = queue.TakeBuffer();
      buffer = std::to_string(i) + ",";
      ASSERT_OK(queue.Push(ChunkKind::kSales, std::move(buffer)));
    }
    queue.Finish(Status::Ok());
  });
  ChunkRunSource run(&queue, ChunkKind::kSales);
  const std::string got = Drain(run);
  producer.join();
  std::string want;
  for (int i = 0; i < kChunks; ++i) want += std::to_string(i) + ",";
  EXPECT_EQ(got, want);
}

TEST(ChunkQueueTest, ProducerFailureReachesTheConsumer) {
  ChunkQueue queue(4);
  ASSERT_OK(queue.Push(ChunkKind::kSales, "a"));
  queue.Finish(Status::Unavailable("storage went away"));
  ChunkRunSource run(&queue, ChunkKind::kSales);
  auto next = run.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), StatusCode::kUnavailable);
}

TEST(ChunkQueueTest, CloseUnblocksAFullProducer) {
  ChunkQueue queue(1);
  ASSERT_OK(queue.Push(ChunkKind::kSales, "a"));
  Status blocked_push;
  std::thread producer([&] { blocked_push = queue.Push(ChunkKind::kSales, "b"); });
  queue.Close();
  producer.join();
  EXPECT_EQ(blocked_push.code(), StatusCode::kCancelled);
}

}  // namespace
}  // namespace salesflow::ingest
