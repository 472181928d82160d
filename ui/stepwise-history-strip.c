/* stepwise-history-strip.c: a horizontal GtkListView whose rows are
 * StepwiseImageViews, so thumbnails stay crisp like the result.  The
 * newest result comes first: a new one scrolls the strip back to the
 * start (the list view would keep its old first item in place and push
 * the new one out of sight at the left), and the mouse wheel, which
 * scrolls vertically, moves the strip sideways. */
#include "stepwise-history-strip.h"

#include <glib/gi18n.h>

#include "stepwise-image-view.h"

#define THUMBNAIL_SIZE 80   /* the view pads 12 px: 28 px images at 2x */

struct _StepwiseHistoryStrip
{
  GtkWidget          parent_instance;
  GtkListView       *list_view;
  GtkScrolledWindow *scrolled;
  GtkStack          *stack;
  GtkNoSelection    *selection;
};

G_DEFINE_FINAL_TYPE (StepwiseHistoryStrip, stepwise_history_strip, GTK_TYPE_WIDGET)

enum { SIGNAL_ACTIVATE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
setup_item (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkWidget *view = stepwise_image_view_new ();
  gtk_widget_set_size_request (view, THUMBNAIL_SIZE, THUMBNAIL_SIZE);
  gtk_widget_add_css_class (view, "history-thumbnail");
  gtk_list_item_set_child (item, view);
}

static void
bind_item (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  StepwiseResult *result = gtk_list_item_get_item (item);
  GtkWidget *view = gtk_list_item_get_child (item);
  stepwise_image_view_set_pixels (STEPWISE_IMAGE_VIEW (view), stepwise_result_get_pixels (result),
                                  stepwise_result_get_channels (result),
                                  stepwise_result_get_height (result), stepwise_result_get_width (result));
  g_autofree char *text = stepwise_result_describe (result);
  gtk_widget_set_tooltip_text (view, text);
}

static void
unbind_item (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkWidget *view = gtk_list_item_get_child (item);
  stepwise_image_view_set_pixels (STEPWISE_IMAGE_VIEW (view), NULL, 0, 0, 0);
}

GtkAdjustment *
stepwise_history_strip_get_hadjustment (StepwiseHistoryStrip *self)
{
  g_return_val_if_fail (STEPWISE_IS_HISTORY_STRIP (self), NULL);
  return gtk_scrolled_window_get_hadjustment (self->scrolled);
}

void
stepwise_history_strip_scroll (StepwiseHistoryStrip *self, double dy)
{
  g_return_if_fail (STEPWISE_IS_HISTORY_STRIP (self));
  GtkAdjustment *adjustment = gtk_scrolled_window_get_hadjustment (self->scrolled);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + dy * THUMBNAIL_SIZE);
}

static gboolean
on_scroll (GtkEventControllerScroll *controller, double dx, double dy, StepwiseHistoryStrip *self)
{
  if (dy == 0)
    return FALSE;   /* sideways already: the scrolled window's own */
  stepwise_history_strip_scroll (self, dy);
  return TRUE;
}

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, StepwiseHistoryStrip *self)
{
  /* the adjustment is only brought up to date at the next allocation:
   * moving the list view's anchor is what scrolls */
  if (position == 0 && added > 0)
    gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", 0);
}

static void
update_empty (StepwiseHistoryStrip *self)
{
  GListModel *model = gtk_no_selection_get_model (self->selection);
  const gboolean empty = !model || g_list_model_get_n_items (model) == 0;
  gtk_stack_set_visible_child_name (self->stack, empty ? "empty" : "list");
}

void
stepwise_history_strip_activate (StepwiseHistoryStrip *self, guint position)
{
  g_return_if_fail (STEPWISE_IS_HISTORY_STRIP (self));
  GListModel *model = gtk_no_selection_get_model (self->selection);
  g_autoptr (StepwiseResult) result = model ? g_list_model_get_item (model, position) : NULL;
  if (result)
    g_signal_emit (self, signals[SIGNAL_ACTIVATE], 0, result);
}

static void
on_activate (GtkListView *view, guint position, StepwiseHistoryStrip *self)
{
  stepwise_history_strip_activate (self, position);
}

void
stepwise_history_strip_set_model (StepwiseHistoryStrip *self, GListModel *model)
{
  g_return_if_fail (STEPWISE_IS_HISTORY_STRIP (self));
  GListModel *old = gtk_no_selection_get_model (self->selection);
  if (old)
    g_signal_handlers_disconnect_by_data (old, self);
  gtk_no_selection_set_model (self->selection, model);
  if (model)
    {
      g_signal_connect_object (model, "items-changed", G_CALLBACK (update_empty), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (model, "items-changed", G_CALLBACK (on_items_changed), self, 0);
    }
  update_empty (self);
}

GListModel *
stepwise_history_strip_get_model (StepwiseHistoryStrip *self)
{
  g_return_val_if_fail (STEPWISE_IS_HISTORY_STRIP (self), NULL);
  return gtk_no_selection_get_model (self->selection);
}

static void
stepwise_history_strip_dispose (GObject *object)
{
  StepwiseHistoryStrip *self = STEPWISE_HISTORY_STRIP (object);
  if (self->selection)
    stepwise_history_strip_set_model (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), STEPWISE_TYPE_HISTORY_STRIP);
  self->selection = NULL;
  G_OBJECT_CLASS (stepwise_history_strip_parent_class)->dispose (object);
}

static void
stepwise_history_strip_class_init (StepwiseHistoryStripClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  object_class->dispose = stepwise_history_strip_dispose;

  signals[SIGNAL_ACTIVATE] =
    g_signal_new ("activate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, STEPWISE_TYPE_RESULT);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "historystrip");
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/stepwise/Stepwise/ui/stepwise-history-strip.ui");
  gtk_widget_class_bind_template_child (widget_class, StepwiseHistoryStrip, list_view);
  gtk_widget_class_bind_template_child (widget_class, StepwiseHistoryStrip, scrolled);
  gtk_widget_class_bind_template_child (widget_class, StepwiseHistoryStrip, stack);
  gtk_widget_class_bind_template_callback (widget_class, on_activate);
}

static void
stepwise_history_strip_init (StepwiseHistoryStrip *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->selection = gtk_no_selection_new (NULL);
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_item), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_item), NULL);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_item), NULL);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_object_unref (self->selection);   /* the list view holds it */
  /* before the scrolled window, which takes vertical steps for itself */
  GtkEventController *scroll = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  gtk_event_controller_set_propagation_phase (scroll, GTK_PHASE_CAPTURE);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self->scrolled), scroll);
  update_empty (self);
}
