using System.Runtime.ExceptionServices;

namespace Ztdr.Backup.Archiving;

/// <summary>How the archiver's concurrent stages (walker, readers) stop together and report the failure that stopped them.</summary>
internal static class PipelineStages
{
    // A stage that fails (anything but a readable-file problem, which is recorded) stops the others.
    public static async Task StopOnFailureAsync(CancellationTokenSource stop, Func<Task> stage)
    {
        try
        {
            await stage();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            await stop.CancelAsync();
            throw;
        }
    }

    // Waits for every stage; rethrows the failure that stopped the others rather than a cancellation it caused.
    public static async Task WhenAllOrFirstFailureAsync(IReadOnlyList<Task> stages)
    {
        await Task.WhenAll(stages).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var failures = stages.Where(s => s.IsFaulted).SelectMany(s => s.Exception!.InnerExceptions).ToList();
        var cause = failures.FirstOrDefault(e => e is not OperationCanceledException) ?? failures.FirstOrDefault();
        if (cause is not null)
        {
            ExceptionDispatchInfo.Throw(cause);
        }

        foreach (var stage in stages)
        {
            await stage;
        }
    }
}
