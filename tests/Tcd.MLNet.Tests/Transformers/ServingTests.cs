using Microsoft.ML;
using Microsoft.ML.Data;
using Tcd.MLNet.Transformers;
using Tcd.Models.Data;
using Tcd.Models.Modeling;
using TorchSharp;

namespace Tcd.MLNet.Tests.Transformers;

/// <summary>A fitted model served as ML.NET applications serve one: from several threads, replaced by a reloaded copy.</summary>
public class ServingTests
{
    private static readonly string[] Texts = [.. TcdTestData.Positive, .. TcdTestData.Negative, "", "the cat sat on the mat", "a film"];

    [Fact]
    public void One_transformer_serves_many_threads_with_the_scores_of_one_thread()
    {
        var mlContext = new MLContext(seed: 1);
        var model = TcdTestData.SentimentClassifier;
        var singleThreaded = Scores(mlContext, model);

        // PredictionEnginePool's pattern (an engine per thread) and Transform cursors, all at once on one transformer.
        var results = new float[8][];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = results.Length }, thread =>
            results[thread] = thread % 2 == 0 ? Scores(mlContext, model) : TransformScores(mlContext, model));

        results.Should().AllSatisfy(scores => scores.Should().Equal(singleThreaded, (a, b) => Math.Abs(a - b) < 1e-5f));
    }

    [Fact]
    public void Served_networks_are_in_eval_mode_so_a_prediction_cannot_switch_a_borrowed_teacher_to_training()
    {
        var mlContext = new MLContext(seed: 1);
        var wrapped = new PretrainedBertTransformer(new BertForMaskedLm(TcdTestData.Tiny), BertTextEncoder.CreateUncased(), maxSequenceLength: 32);
        try
        {
            // A prediction restores the mode it found, so it would restore training over a Distill that set eval meanwhile.
            Scores(mlContext, TcdTestData.SentimentClassifier);
            wrapped.Transform(TcdTestData.Corpus(mlContext)).GetColumn<float[]>(wrapped.OutputColumnName).Should().HaveCount(12);

            TcdTestData.Teacher.Model.training.Should().BeFalse("a fitted model is served in eval mode");
            TcdTestData.SentimentClassifier.Model.training.Should().BeFalse("a fine-tuned model is served in eval mode");
            wrapped.Model.training.Should().BeFalse("wrapping a network makes it a served one");
        }
        finally
        {
            mlContext.Tcd().DisposeModel(wrapped);
        }
    }

    [Fact]
    public void Disposing_a_PredictionEngine_leaves_its_model_usable()
    {
        var mlContext = new MLContext(seed: 1);
        var model = TcdTestData.SentimentClassifier;
        var first = Scores(mlContext, model);

        Scores(mlContext, model).Should().Equal(first, "ML.NET's PredictionEngine disposes an IDisposable transformer with itself");
    }

    [Fact]
    public void DisposeModel_frees_the_weights_of_a_loaded_model_and_later_predictions_say_so()
    {
        var mlContext = new MLContext(seed: 1);
        var path = Path.Combine(Path.GetTempPath(), $"tcd-serving-{Guid.NewGuid():N}.tcd.zip");
        try
        {
            var data = mlContext.Data.LoadFromEnumerable(TcdTestData.Sentiment(1));
            var chain = new TransformerChain<ITransformer>(mlContext.Transforms.CopyColumns("Copy", "Text").Fit(data), TcdTestData.SentimentClassifier);
            mlContext.Tcd().SaveModel(chain, data.Schema, path);
            var loaded = mlContext.Tcd().LoadModel(path, out _);
            var classifier = ((IEnumerable<ITransformer>)loaded).OfType<FineTunedBertTransformer>().Single();
            var weights = classifier.Model.parameters().ToList();
            using var engine = mlContext.Model.CreatePredictionEngine<SentimentRow, BinaryPrediction>(loaded);
            engine.Predict(new SentimentRow { Text = Texts[0] });

            mlContext.Tcd().DisposeModel(loaded);
            mlContext.Tcd().DisposeModel(loaded);

            weights.Should().OnlyContain(weight => weight.IsInvalid, "the native weights are freed, not left to a garbage collector that never frees them");
            var predict = () => engine.Predict(new SentimentRow { Text = Texts[1] });
            predict.Should().Throw<ObjectDisposedException>().WithMessage("*DisposeModel*load the model again*");
            Scores(mlContext, TcdTestData.SentimentClassifier).Should().HaveCount(Texts.Length, "the model that was saved is another copy");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MoveModel_moves_the_network_of_every_tcd_transformer_in_a_chain_until_its_weights_are_released()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TcdTestData.Corpus(mlContext);
        var wrapped = new PretrainedBertTransformer(new BertForMaskedLm(TcdTestData.Tiny), BertTextEncoder.CreateUncased(), maxSequenceLength: 32);
        var chain = new TransformerChain<ITransformer>(mlContext.Transforms.CopyColumns("Copy", "Text").Fit(data), wrapped);
        try
        {
            // The meta device (shapes, no data) stands in for a GPU: a move there is a move off the CPU.
            mlContext.Tcd().MoveModel(chain, "meta");

            wrapped.Model.parameters().Should().OnlyContain(weight => weight.device_type == DeviceType.META);
            var misnamed = () => mlContext.Tcd().MoveModel(chain, "gpu");
            misnamed.Should().Throw<ArgumentException>().WithMessage("device 'gpu' is not a device name*");
        }
        finally
        {
            mlContext.Tcd().DisposeModel(chain);
        }

        var released = () => mlContext.Tcd().MoveModel(chain, "cpu");
        released.Should().Throw<ObjectDisposedException>().WithMessage("*DisposeModel*load the model again to move it*");
    }

    [Fact]
    public void Transformers_built_around_one_network_by_anyone_see_its_release_through_either()
    {
        var mlContext = new MLContext(seed: 1);
        var data = TcdTestData.Corpus(mlContext);
        var network = new BertForMaskedLm(TcdTestData.Tiny);
        var first = new PretrainedBertTransformer(network, BertTextEncoder.CreateUncased(), maxSequenceLength: 32);
        var second = new PretrainedBertTransformer(network, BertTextEncoder.CreateUncased(), outputColumnName: "Other", maxSequenceLength: 32);
        var classifier = new BertForSequenceClassification(TcdTestData.Tiny, numLabels: 2);
        var scorers = Enumerable.Range(0, 2).Select(_ => new FineTunedBertTransformer(
            classifier, BertTextEncoder.CreateUncased(), BertPredictionKind.BinaryClassification, "Text", null, "Label", null, maxSequenceLength: 32, batchSize: 4)).ToList();

        mlContext.Tcd().DisposeModel(first);
        mlContext.Tcd().DisposeModel(scorers[0]);

        var predict = () => second.Transform(data).GetColumn<float[]>("Other").ToList();
        predict.Should().Throw<ObjectDisposedException>().WithMessage("*released by mlContext.Tcd().DisposeModel*");
        var move = () => mlContext.Tcd().MoveModel(second, "cpu");
        move.Should().Throw<ObjectDisposedException>().WithMessage("*load the model again to move it*");
        var score = () => scorers[1].Transform(data).GetColumn<float>(FineTunedBertTransformer.ScoreColumnName).ToList();
        score.Should().Throw<ObjectDisposedException>().WithMessage("*released by mlContext.Tcd().DisposeModel*");
    }

    private static float[] Scores(MLContext mlContext, ITransformer model)
    {
        using var engine = mlContext.Model.CreatePredictionEngine<SentimentRow, BinaryPrediction>(model);
        return Texts.Select(text => engine.Predict(new SentimentRow { Text = text }).Score).ToArray();
    }

    private static float[] TransformScores(MLContext mlContext, ITransformer model)
    {
        var scored = model.Transform(mlContext.Data.LoadFromEnumerable(Texts.Select(text => new SentimentRow { Text = text })));
        return mlContext.Data.CreateEnumerable<BinaryPrediction>(scored, reuseRowObject: false).Select(prediction => prediction.Score).ToArray();
    }
}
