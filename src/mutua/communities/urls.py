"""Community pages, included at the site root under the `communities` namespace."""

from django.urls import path

from mutua.communities import views

app_name = "communities"

c = "c/<slug:slug>/"
member = c + "members/<str:public_id>/"

urlpatterns = [
    path("c/", views.community_list, name="list"),
    path("c/new/", views.community_create, name="create"),
    path("join/<str:token>/", views.join_invitation, name="join_invitation"),
    path(c, views.community_detail, name="detail"),
    path(c + "join/", views.community_join, name="join"),
    path(c + "apply/", views.community_apply, name="apply"),
    path(c + "leave/", views.community_leave, name="leave"),
    path(c + "membership/", views.my_membership, name="my_membership"),
    path(c + "membership/location/", views.my_location, name="my_location"),
    path(c + "members/", views.directory, name="directory"),
    path(member, views.member_detail, name="member"),
    path(member + "role/", views.member_role, name="member_role"),
    path(member + "attributes/", views.member_attributes, name="member_attributes"),
    path(member + "remove/", views.member_remove, name="member_remove"),
    path(member + "private/", views.member_private, name="member_private"),
    path(member + "custom-role/", views.member_custom_role, name="member_custom_role"),
    path(member + "location/", views.member_location, name="member_location"),
    path(c + "manage/members/", views.roster, name="roster"),
    path(c + "call-list/", views.call_list, name="call_list"),
    path(c + "invitations/", views.invitations, name="invitations"),
    path(c + "invitations/bulk/", views.invitation_bulk, name="invitation_bulk"),
    path(
        c + "invitations/<str:public_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(c + "applications/", views.applications, name="applications"),
    path(
        c + "applications/<str:public_id>/decide/",
        views.application_decide,
        name="application_decide",
    ),
    path(c + "areas/", views.areas, name="areas"),
    path(c + "areas/<slug:area>/", views.area_edit, name="area_edit"),
    path(c + "areas/<slug:area>/delete/", views.area_delete, name="area_delete"),
    path(c + "skills/", views.skills, name="skills"),
    path(c + "skills/<slug:skill>/", views.skill_edit, name="skill_edit"),
    path(c + "skills/<slug:skill>/delete/", views.skill_delete, name="skill_delete"),
    path(c + "roles/", views.roles, name="roles"),
    path(c + "roles/assign/", views.role_assign, name="role_assign"),
    path(c + "roles/<str:role>/edit/", views.role_edit, name="role_edit"),
    path(c + "roles/<str:role>/delete/", views.role_delete, name="role_delete"),
    path(c + "settings/", views.community_settings, name="settings"),
    path(c + "audit/", views.audit, name="audit"),
]
